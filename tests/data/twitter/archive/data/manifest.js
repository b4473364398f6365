window.__THAR_CONFIG = {
  "userInfo" : { "accountId" : "1500000001", "userName" : "asso_lien", "displayName" : "Asso Lien" },
  "archiveInfo" : { "sizeBytes" : "12345", "generationDate" : "2023-03-08T12:00:00.000Z", "isPartialArchive" : false, "maxPartSizeBytes" : "53687091200" },
  "readmeInfo" : { "fileName" : "data/README.txt", "directory" : "data/", "name" : "README.txt" },
  "dataTypes" : { "tweets" : { "files" : [ { "fileName" : "data/tweets.js", "globalName" : "YTD.tweets.part0", "count" : "4" }, { "fileName" : "data/tweets-part1.js", "globalName" : "YTD.tweets.part1", "count" : "1" } ] } }
}