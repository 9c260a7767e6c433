"""What the features' commands share: the festival a command works on, and the check before a print whose
QR codes phones could not open."""

import sys

import click

from festival.core.festivals import festival_by_edition, get_current_festival
from festival.models import Festival
from festival.util import addresses


def festival_option(edition: int | None) -> Festival:
    """The festival named by --festival (its edition number), or the current one."""
    festival = get_current_festival() if edition is None else festival_by_edition(edition)
    if festival is None:
        raise click.ClickException("No such festival." if edition else "No current festival; use --festival N.")
    return festival


def allow_local_address_option(command):
    """`--allow-local-address`: print even though phones cannot open the QR codes' address."""
    return click.option(
        "--allow-local-address",
        is_flag=True,
        help="Print even when PUBLIC_BASE_URL is an address phones cannot open (loopback, .test, .local…).",
    )(command)


def refuse_unreachable_address(allowed: bool) -> None:
    """Stop a print whose QR codes would hold an address phones cannot open, unless allowed."""
    address = addresses.public_address()
    if address.is_reachable or allowed:
        return
    click.echo(
        f"Refusing to print: the QR codes would hold {address.base_url}, which phones cannot open "
        f"({address.problem}).\nSet PUBLIC_BASE_URL to the address phones at the venue reach, "
        "or pass --allow-local-address for a print that is only a test.",
        err=True,
    )
    sys.exit(2)
