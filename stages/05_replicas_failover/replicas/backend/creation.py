from django.db.backends.mysql.creation import DatabaseCreation as MySQLCreation


class DatabaseCreation(MySQLCreation):
    def set_as_test_mirror(self, primary_settings_dict):
        """Tests read the test database on every server this alias may land on."""
        super().set_as_test_mirror(primary_settings_dict)
        for server in self.connection.settings_dict.get("SERVERS", ()):
            server["NAME"] = primary_settings_dict["NAME"]
