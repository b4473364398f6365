window.YTD.following.part0 = [
  {
    "following" : {
      "accountId" : "3300000003",
      "userLink" : "https://twitter.com/intent/user?user_id=3300000003"
    }
  }
]