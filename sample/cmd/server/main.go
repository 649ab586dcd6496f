// Command server is a small HTTP service with net/http/pprof enabled, used to
// capture live profiles and traces. It listens on loopback only.
package main

import (
	"flag"
	"fmt"
	"log"
	"net/http"
	_ "net/http/pprof"

	"example.com/goperf-sample/workload"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:6060", "listen address (keep it on loopback)")
	flag.Parse()
	http.HandleFunc("/work", func(w http.ResponseWriter, r *http.Request) {
		records, err := workload.ParseLog(workload.MakeLog(500))
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		workload.SortRecords(records)
		sum := workload.HashChain(uint64(len(records)), 200)
		fmt.Fprintf(w, "%d records, %x\n", len(records), sum[:4])
	})
	log.Printf("listening on http://%s (pprof at /debug/pprof/)", *addr)
	log.Fatal(http.ListenAndServe(*addr, nil))
}
