"""Files the app writes are its owner's only: the process umask, private folders and files, and the
secret key kept in the instance folder when SECRET_KEY is not set.

Standard library only: festival.core.queue uses it as it creates the queue's SQLite file at import time.
"""

import os
import secrets
import tempfile
from pathlib import Path

# Everything the web workers and the queue's worker create (the queue's SQLite file and the -wal and -shm
# files SQLite adds later, outbox messages, uploads, prints, backups) is readable by its owner only.
PRIVATE_UMASK = 0o077


def keep_files_private() -> None:
    """Make every file and folder this process creates from now on 0600/0700 (a process-wide umask)."""
    os.umask(PRIVATE_UMASK)


def private_dir(path) -> Path:
    """Create `path` (and its parents) if missing and make it 0700; return it."""
    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    folder.chmod(0o700)
    return folder


def private_sqlite_file(path) -> Path:
    """Create the SQLite file `path` empty if missing and make it and its -wal/-shm files 0600.

    SQLite gives the -wal and -shm files it creates later the mode of the database file, so a
    database made private here stays private whatever the umask of the process that opens it.
    """
    database = Path(path)
    os.close(os.open(database, os.O_WRONLY | os.O_CREAT, 0o600))
    for file in (database, Path(f"{database}-wal"), Path(f"{database}-shm")):
        if file.exists():
            file.chmod(0o600)
    return database


def instance_secret_key(path) -> str:
    """The secret key kept in `path` (0600), made at random the first time.

    Several processes may start at once (gunicorn's workers, the queue's worker): the key is written
    whole to a temporary file, then linked to `path`, which fails if another process got there first;
    every process then reads the one key that won.
    """
    target = Path(path)
    private_dir(target.parent)
    if not target.exists():
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".secret_key.")
        try:
            with os.fdopen(handle, "w") as out:
                out.write(secrets.token_urlsafe(48))
            os.chmod(temporary, 0o600)
            os.link(temporary, target)
        except FileExistsError:
            pass  # another process made it first: use theirs
        finally:
            os.unlink(temporary)
    target.chmod(0o600)
    key = target.read_text().strip()
    if not key:
        raise RuntimeError(f"The secret key file {target} is empty: delete it to have a new one made.")
    return key
