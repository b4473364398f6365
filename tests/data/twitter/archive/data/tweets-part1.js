window.YTD.tweets.part1 = [
    {
    "tweet" : {
      "edit_info" : { "initial" : { "editTweetIds" : [ "1632078451307446272" ], "editableUntil" : "2023-03-01T11:00:00.000Z", "editsRemaining" : "5", "isEditEligible" : true } },
      "retweeted" : false,
      "source" : "<a href=\"https://mobile.twitter.com\" rel=\"nofollow\">Twitter Web App</a>",
      "entities" : {
        "hashtags" : [  ],
        "symbols" : [ ],
        "user_mentions" : [  ],
        "urls" : [  ]
      },
      "display_text_range" : [ "0", "140" ],
      "favorite_count" : "2",
      "id_str" : "1632078451307446272",
      "truncated" : false,
      "retweet_count" : "0",
      "id" : "1632078451307446272",
      "created_at" : "Sat Mar 04 18:00:00 +0000 2023",
      "favorited" : false,
      "full_text" : "Good evening",
      "lang" : "en"
    }
  }
]