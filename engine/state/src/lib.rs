//! State: Terraform's v4 JSON format, the local backend (lock, atomic writes, backup) and the apply journal.
