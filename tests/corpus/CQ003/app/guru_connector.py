import os


class GuruConnector:
    def load_credentials(self, credentials):
        self.user = credentials["guru_user"]


if __name__ == "__main__":
    connector = GuruConnector()
    connector.load_credentials({"guru_user": os.environ["GURU_USER"]})
