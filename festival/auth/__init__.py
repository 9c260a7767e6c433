"""Sign-in, sign-out, invitations and passwords."""
