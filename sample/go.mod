module example.com/goperf-sample

go 1.22
