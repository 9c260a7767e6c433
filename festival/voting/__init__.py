"""The visitors' choice vote (Giải do khán giả bình chọn): phones linked to badges, booth ballots, the kiosk,
paper ballots, the tally and the prize."""
