"""The Department's dashboard: an adapter beside bot/ that reads the same stores and handlers.

It writes no business rule of its own: statuses, overdue, reports, reminder previews, invitations and who
may see what come from handlers/; the pages only arrange them.
"""
