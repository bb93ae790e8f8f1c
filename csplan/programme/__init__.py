"""The savings programme: council, MTFS plan, workstreams, savings lines and their phasing."""
