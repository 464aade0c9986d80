//! Schemaless ingestion: InfluxDB line protocol, OpenTSDB telnet and OpenTSDB JSON.
