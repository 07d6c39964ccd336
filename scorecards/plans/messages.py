"""Every message about plans, actions, questions and meetings, defined once so that tests assert on the words.

Import messages are format strings; the row and column are carried beside them by ``RowError``.
"""

# Import and form cells -----------------------------------------------------------------------------------

BAD_PLAN_CODE = "{value!r} is not a plan code: use only letters, digits, - and _ (such as peer-2018)"
RESERVED_PLAN_CODE = (
    "{value!r} is the address of a page of plans, so it cannot be a plan's code; choose another"
)
BAD_ACTION_CODE = "{value!r} is not an action code: use only letters, digits, ., - and _ (such as K4.3)"
BAD_DATE = "{value!r} is not a date that exists, written YYYY-MM-DD (such as 2019-06-30)"
UNKNOWN_SOURCE = "{value!r} is not a source of a plan; expected one of: {expected}"
UNKNOWN_ACTION_STATUS = "{value!r} is not a status of an action; expected one of: {expected}"
UNKNOWN_PLAN = (
    "authority {authority} has no plan with the code {value!r}; import it with the plans file first"
)
UNKNOWN_INDICATORS = "no indicator has the code {value!r}; use the codes of the catalogue, separated by ;"
AS_OF_BEFORE_LATEST = (
    "{value} is earlier than this action's latest update, of {latest}: history is never rewritten, so give "
    "{latest} (to correct that day's update) or a later date"
)

# Questions -------------------------------------------------------------------------------------------------

QUESTION_EMPTY = "Write the question."
ANSWER_EMPTY = "Write the answer."
TEXT_TOO_LONG = "The text is {length:,} characters long; at most {limit:,} are allowed."
QUESTION_SUBJECT_MISSING = "Say what the question is about: an indicator, an action or a month's scorecard."
QUESTION_SUBJECT_UNKNOWN = "That indicator, action or month is not one of this authority's."
QUESTION_NOT_OPEN = "This question is {state}, so it cannot be answered; reopen it by asking again."
QUESTION_ALREADY_CLOSED = "This question is already closed."
QUESTION_ASKED = "Your question has been recorded; officers are asked to answer it before the next meeting."
QUESTION_ANSWERED = "The answer has been recorded and the question marked answered."
QUESTION_CLOSED = "The question has been closed."

# Meetings --------------------------------------------------------------------------------------------------

MEETING_TITLE_MISSING = "Give the meeting a title."
MEETING_DATE_BAD = "Give the meeting's date as YYYY-MM-DD, a date that exists."
MEETING_PERIOD_BAD = "Give the scorecard month the meeting reads as YYYY-MM."
MEETING_PLAN_UNKNOWN = "{value!r} is not one of this authority's plans."
MEETING_CREATED = "The meeting has been recorded."
MEETING_PACK_REQUESTED = "The meeting's board pack is being made."

# Plan and action forms -------------------------------------------------------------------------------------

SAVED = "Saved: {summary}."
NOTHING_CHANGED = "Nothing changed."
