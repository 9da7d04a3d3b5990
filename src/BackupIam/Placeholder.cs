namespace BackupIam { }
