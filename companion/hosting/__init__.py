"""Track hosts and organisers edit the programme: permissions, validation, audit log."""
