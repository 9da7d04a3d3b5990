namespace BackupIam.Loader { }
