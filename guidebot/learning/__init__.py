"""Learning mode: quiz items generated from the knowledge base, graded, and scheduled by FSRS.

Stage: over `criteria` and `knowledge`, beside `dialogue`; the CLI (`guidebot quiz`) and the UI's quiz
screen drive `QuizSession`. Never imports Textual, and `guidebot ask` never imports this package.

Modules: `items` (Item, the bank of recall / cloze / choice items), `cases` (practice cases graded by
`assess`), `grading` (answer -> Grade), `store` (cards and review log in SQLite), `session` (one quiz,
line by line), `export` (a printable quiz and answer key).
"""
