window.YTD.account.part0 = [
  {
    "account" : {
      "email" : "Contact@Asso-Lien.example",
      "createdVia" : "web",
      "username" : "asso_lien",
      "accountId" : "1500000001",
      "createdAt" : "2022-01-10T09:00:00.000Z",
      "accountDisplayName" : "Asso Lien"
    }
  }
]