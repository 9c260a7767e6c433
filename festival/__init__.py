"""Festival: the Creative Labour Festival web app. The application factory is festival.app.create_app."""
