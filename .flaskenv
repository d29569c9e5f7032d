# Read by the flask command (python-dotenv): `flask ...` works from a fresh clone.
FLASK_APP=service
