"""What answers become for people and tools.

Markdown and JSON (`render`), briefing notes in Markdown and Word (`briefing`,
`briefing_docx`), report-by-report tables (`compare`) and ratings (`feedback`).
"""
