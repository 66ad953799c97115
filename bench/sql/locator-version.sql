SELECT postgis_lib_version() AS v, current_setting('server_version') AS pg
