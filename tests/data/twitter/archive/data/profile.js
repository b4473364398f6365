window.YTD.profile.part0 = [
  {
    "profile" : {
      "description" : {
        "bio" : "L'association Lien, à Lyon",
        "website" : "https://t.co/site",
        "location" : "Lyon"
      },
      "avatarMediaUrl" : "https://pbs.twimg.com/profile_images/1/a.jpg"
    }
  }
]