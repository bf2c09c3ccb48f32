@{
    Synopsis    = 'Creates a self-contained SQLite setup to try AsyncServer: a sample HQ database, a message database and a configuration.'
    Description = @'
New-AsyncSampleEnvironment builds, in one folder, everything needed to see AsyncServer work without a server or an AX installation:

- hq.db: a SQLite HQ database shaped like Dynamics AX 2012 R3 tables (ECORESPRODUCT, ECORESPRODUCTTRANSLATION, INVENTTABLE, INVENTITEMBARCODE, PRICEDISCTABLE, DIRPARTYTABLE, CUSTTABLE, RETAILCHANNELTABLE, RETAILSTORETABLE) for the legal entities usrt and usmf, filled with products, prices, customers and four stores; the data is the same every time (seed 1) and includes Unicode text, decimals, dates, GUIDs, binary values and nulls. Change tracking is enabled on every table, with 14 days of history.
- message.db: an initialized message database.
- asyncserver.json: partition ps1; data groups USRT-Stores (channel databases HOUSTON and SEATTLE) and USMF-Stores (CHICAGO and DETROIT), each with its DataAreaId filter parameter; subjobs with company filters, an EXISTS filter and a field map; jobs 1010 Customers, 1020 Prices and discounts, 1040 Products and 1070 Channel configuration; schedules Products-and-prices (jobs 1040 and 1020, every 15 minutes) and Nightly (jobs 1010 and 1070, 02:00 UTC).
- the folders download, upload and channels (for SQLite channel databases).

Pass the ConfigurationPath of the result to the other cmdlets, or set $env:ASYNCSERVER_CONFIGURATION to it. The folder must be empty unless you use -Force.
'@
    Parameters  = @{
        Path              = 'The folder to create the sample environment in. It is created if it does not exist; if it exists and is not empty, the cmdlet fails with the error id SampleFolderNotEmpty unless -Force is used.'
        Products          = 'How many products to create (1 to 1,000,000). Customers are half as many; with their translations, released items, bar codes and prices, that is about eight HQ rows per product. Use a large number to try distribution at scale.'
        Force             = 'Replace whatever is in the folder: the folder and everything in it is deleted before the sample environment is created. Use it only on a folder that holds a sample environment.'
        ConfigurationPath = 'Not used by this cmdlet: it writes a new configuration file, asyncserver.json in -Path, and returns its path as ConfigurationPath.'
        Credential        = 'Not used by this cmdlet: the sample environment uses SQLite files, which need no login.'
        WhatIf            = 'Shows the folder the sample environment would be created in, without creating anything. A non-empty folder without -Force still fails with SampleFolderNotEmpty.'
    }
    Examples    = @(
        @{
            Code    = @'
PS> $sample = New-AsyncSampleEnvironment -Path ~/asyncserver-sample
PS> $env:ASYNCSERVER_CONFIGURATION = $sample.ConfigurationPath
PS> Start-AsyncDistribution -Schedule Products-and-prices, Nightly | Format-Table
'@
            Remarks = 'Creates a sample environment with 800 products, makes its configuration the default for the session, and runs both schedules: the first run of every (job, data group) is a full sync.'
        }
        @{
            Code    = 'PS> New-AsyncSampleEnvironment -Path D:\Temp\async-load-test -Products 200000 -Force'
            Remarks = 'Replaces an earlier sample in D:\Temp\async-load-test with a larger one, about 1.6 million HQ rows, to see how packages are split by the configuration''s packageLimits.'
        }
    )
    Outputs     = 'One object with Path, ConfigurationPath, HqDatabase, MessageDatabase, DownloadFolder, ChannelFolder and HqRows (rows created in the HQ database).'
    Notes       = 'Error ids: SampleFolderNotEmpty, SampleFolderNotCreatable (the folder cannot be created or written there; the message says why), IOError, AccessDenied. The sample is for learning and testing; Update-AsyncSampleData makes changes in it to distribute. examples/quickstart.ps1 in the repository walks through it.'
    Links       = @('Update-AsyncSampleData', 'Start-AsyncDistribution')
}
