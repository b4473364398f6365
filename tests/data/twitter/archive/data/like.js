window.YTD.like.part0 = [
  {
    "like" : {
      "tweetId" : "1632274744734646272",
      "fullText" : "Le programme est en ligne",
      "expandedUrl" : "https://twitter.com/i/web/status/1632274744734646272"
    }
  },
  {
    "like" : {
      "tweetId" : "1212342705976246272",
      "fullText" : "Bonne année 2020",
      "expandedUrl" : "https://twitter.com/i/web/status/1212342705976246272"
    }
  },
  {
    "like" : {
      "tweetId" : "20",
      "fullText" : "just setting up my twttr",
      "expandedUrl" : "https://twitter.com/i/web/status/20"
    }
  }
]