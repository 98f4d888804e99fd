"""The review console: cases from verdicts and reports, human decisions, labels and appeals."""
