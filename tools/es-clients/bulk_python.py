"""Sends documents to an Elasticsearch-compatible server with the official
Python client's bulk helper (Debian's python3-elasticsearch), as an
application would. Usage: python3 bulk_python.py URL COUNT
Prints one JSON line: {"successful", "errors", "version"}; exits non-zero on
any failure."""
import json
import sys

from elasticsearch import Elasticsearch, helpers


def main():
    url, count = sys.argv[1], int(sys.argv[2])
    client = Elasticsearch(url, max_retries=0, request_timeout=30)
    info = client.info()
    actions = (
        {
            "_op_type": "index",
            "_index": "crm-2026.11.25",
            "_id": f"py-{i}",
            "_source": {
                "@timestamp": f"2026-11-25T09:00:{i % 60:02d}Z",
                "level": "warning" if i % 7 == 0 else "info",
                "message": f"python client customer {i} updated",
                "customer": {"id": 7000 + i},
            },
        }
        for i in range(count)
    )
    successful, errors = helpers.bulk(client, actions, chunk_size=150, raise_on_error=False)
    print(json.dumps({"successful": successful, "errors": errors,
                      "version": info["version"]["number"]}))
    if errors or successful != count:
        sys.exit(1)


if __name__ == "__main__":
    main()
