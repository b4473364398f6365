window.YTD.follower.part0 = [
  {
    "follower" : {
      "accountId" : "2200000002",
      "userLink" : "https://twitter.com/intent/user?user_id=2200000002"
    }
  },
  {
    "follower" : {
      "accountId" : "4400000004",
      "userLink" : "https://twitter.com/intent/user?user_id=4400000004"
    }
  }
]