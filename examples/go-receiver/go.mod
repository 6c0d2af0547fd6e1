module example.com/piperelay-go-receiver

go 1.19
