"""The terminal client: ``python main.py generate|watch|jobs|cancel|retry|delete|run-next|
download``, a program of its own on the one contract client (``services.client``).

    command_line.py     the commands and their flags
    outcome.py          exit codes, and every error as one line
    actions.py          each command: its calls to the backend, what it prints
    progress_views.py   a job's progress on a terminal (rich), piped (plain lines), or as JSON
    job_table.py        the jobs, as a table or JSON lines
    download.py         the finished video into a file, with a progress bar on a terminal
"""
