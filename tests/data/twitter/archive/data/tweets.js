window.YTD.tweets.part0 = [
    {
    "tweet" : {
      "edit_info" : { "initial" : { "editTweetIds" : [ "1630870491755446272" ], "editableUntil" : "2023-03-01T11:00:00.000Z", "editsRemaining" : "5", "isEditEligible" : true } },
      "retweeted" : false,
      "source" : "<a href=\"https://mobile.twitter.com\" rel=\"nofollow\">Twitter Web App</a>",
      "entities" : {
        "hashtags" : [ { "text" : "lyon", "indices" : [ "0", "4" ] } ],
        "symbols" : [ ],
        "user_mentions" : [ { "name" : "Léa", "screen_name" : "lea_l", "indices" : [ "0", "4" ], "id_str" : "2200000002", "id" : "2200000002" } ],
        "urls" : [ { "url" : "https://t.co/abc", "expanded_url" : "https://asso-lien.example/apero", "display_url" : "x", "indices" : [ "0", "4" ] } ]
      },
      "display_text_range" : [ "0", "140" ],
      "favorite_count" : "2",
      "id_str" : "1630870491755446272",
      "truncated" : false,
      "retweet_count" : "0",
      "id" : "1630870491755446272",
      "created_at" : "Wed Mar 01 10:00:00 +0000 2023",
      "favorited" : false,
      "full_text" : "Apéro le 15 avec @lea_l &amp; vous ! https://t.co/abc #lyon",
      "lang" : "fr"
    }
  },
    {
    "tweet" : {
      "edit_info" : { "initial" : { "editTweetIds" : [ "1630871750046646272" ], "editableUntil" : "2023-03-01T11:00:00.000Z", "editsRemaining" : "5", "isEditEligible" : true } },
      "retweeted" : false,
      "source" : "<a href=\"https://mobile.twitter.com\" rel=\"nofollow\">Twitter Web App</a>",
      "entities" : {
        "hashtags" : [  ],
        "symbols" : [ ],
        "user_mentions" : [ { "name" : "Léa", "screen_name" : "lea_l", "indices" : [ "0", "4" ], "id_str" : "2200000002", "id" : "2200000002" }, { "name" : "Max", "screen_name" : "maxou", "indices" : [ "0", "4" ], "id_str" : "3300000003", "id" : "3300000003" } ],
        "urls" : [  ]
      },
      "display_text_range" : [ "0", "140" ],
      "favorite_count" : "2",
      "in_reply_to_status_id_str" : "1630870491755446272", "in_reply_to_status_id" : "1630870491755446272", "in_reply_to_user_id" : "1500000001", "in_reply_to_user_id_str" : "1500000001", "in_reply_to_screen_name" : "asso_lien",
      "id_str" : "1630871750046646272",
      "truncated" : false,
      "retweet_count" : "0",
      "id" : "1630871750046646272",
      "created_at" : "Wed Mar 01 10:05:00 +0000 2023",
      "favorited" : false,
      "full_text" : "@lea_l Suite : 19 h, avec @maxou",
      "lang" : "fr"
    }
  },
    {
    "tweet" : {
      "edit_info" : { "initial" : { "editTweetIds" : [ "1631217780126646272" ], "editableUntil" : "2023-03-01T11:00:00.000Z", "editsRemaining" : "5", "isEditEligible" : true } },
      "retweeted" : false,
      "source" : "<a href=\"https://mobile.twitter.com\" rel=\"nofollow\">Twitter Web App</a>",
      "entities" : {
        "hashtags" : [  ],
        "symbols" : [ ],
        "user_mentions" : [ { "name" : "Léa", "screen_name" : "lea_l", "indices" : [ "0", "4" ], "id_str" : "2200000002", "id" : "2200000002" } ],
        "urls" : [  ]
      },
      "display_text_range" : [ "0", "140" ],
      "favorite_count" : "2",
      "in_reply_to_status_id_str" : "1630000000000000000", "in_reply_to_status_id" : "1630000000000000000", "in_reply_to_user_id" : "2200000002", "in_reply_to_user_id_str" : "2200000002", "in_reply_to_screen_name" : "lea_l",
      "id_str" : "1631217780126646272",
      "truncated" : false,
      "retweet_count" : "0",
      "id" : "1631217780126646272",
      "created_at" : "Thu Mar 02 09:00:00 +0000 2023",
      "favorited" : false,
      "full_text" : "@lea_l Merci !",
      "lang" : "fr"
    }
  },
    {
    "tweet" : {
      "edit_info" : { "initial" : { "editTweetIds" : [ "1631565068497846272" ], "editableUntil" : "2023-03-01T11:00:00.000Z", "editsRemaining" : "5", "isEditEligible" : true } },
      "retweeted" : false,
      "source" : "<a href=\"https://mobile.twitter.com\" rel=\"nofollow\">Twitter Web App</a>",
      "entities" : {
        "hashtags" : [  ],
        "symbols" : [ ],
        "user_mentions" : [ { "name" : "Max", "screen_name" : "maxou", "indices" : [ "0", "4" ], "id_str" : "3300000003", "id" : "3300000003" } ],
        "urls" : [  ]
      },
      "display_text_range" : [ "0", "140" ],
      "favorite_count" : "2",
      "id_str" : "1631565068497846272",
      "truncated" : false,
      "retweet_count" : "0",
      "id" : "1631565068497846272",
      "created_at" : "Fri Mar 03 08:00:00 +0000 2023",
      "favorited" : false,
      "full_text" : "RT @maxou: Le programme est en ligne",
      "lang" : "fr"
    }
  }
]