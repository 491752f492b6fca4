"""Brand replies: which messages expect an answer, when the brand answered, and what it ignored."""
