@{
    Synopsis    = 'Turns on change tracking in the HQ database for the tables the configuration''s subjobs read.'
    Description = @'
Enable-AsyncChangeTracking makes the HQ database record which rows change, so that Start-AsyncDistribution can package only the changes since each data group's row version. Run it once when you set AsyncServer up, and again after you add subjobs (or tables to filters) to the configuration: it is idempotent, and tables already tracked keep their change history.

Without -Table, it enables every HQ table a subjob reads, including the parent tables named by EXISTS conditions in subjob filters (a change in a parent can move rows into or out of a data group).

On SQL Server it uses SQL Server change tracking: it turns change tracking on for the database with CHANGE_RETENTION = -RetentionDays and AUTO_CLEANUP = ON (or, when it is on already, sets the retention), then for each table that is not tracked yet; tables that AX's own Commerce Data Exchange already tracks are left as they are. It needs ALTER on the database and the tables (usually a DBA runs it once), and it does not turn on snapshot isolation, which distribution runs need: that is left to the DBA (see docs/sqlserver.md).

On SQLite and PostgreSQL change tracking is built with triggers and a side table per tracked table (on PostgreSQL in the schema async_ct, see docs/postgresql.md), recording each changed key and when it changed; on SQLite the database is also switched to WAL mode so that distributions read a consistent snapshot while HQ keeps writing. Every table needs a primary key, because deletes are delivered by key. All tables are enabled in one transaction: if one fails, none is changed.

Tables that change tracking does not cover make Start-AsyncDistribution fail with ChangeTrackingNotEnabled.
'@
    Parameters  = @{
        Table         = 'HQ tables to enable, for example INVENTTABLE or dbo.INVENTTABLE. Accepts pipeline input by value and by property name (Table or HqTable). Tab completion offers the tables the configuration''s subjobs read. Default: every table the configuration''s subjobs read, including EXISTS parent tables of their filters.'
        RetentionDays = 'How many days of change history the HQ database keeps (1 to 3650). Default: the configuration''s retentionDays (14 unless set). Packages must be built within this time or the next run of an affected data group becomes a full sync (a history gap); keep it well above the longest time a schedule may not run, including weekends and outages. For tables already tracked, the recorded retention is updated. On SQL Server this is the database''s CHANGE_RETENTION, and SQL Server removes older history by itself; on SQLite and PostgreSQL old history is removed by Invoke-AsyncChangeTrackingCleanup.'
        WhatIf        = 'Shows the HQ database (connection with secrets masked), the retention and the list of tables that would be enabled, without changing anything.'
        Confirm       = 'Prompts once, for all tables, before change tracking is enabled.'
    }
    Examples    = @(
        @{
            Code    = @'
PS> Enable-AsyncChangeTracking -ConfigurationPath D:\AsyncServer\asyncserver.json

Table                    Enabled MinValidVersion CurrentVersion TrackedRows
-----                    ------- --------------- -------------- -----------
DIRPARTYTABLE            True    0               0              0
CUSTTABLE                True    0               0              0
INVENTTABLE              True    0               0              0
...
'@
            Remarks = 'Enables change tracking, with the default 14 days of history, for every table the configured jobs (1010 Customers, 1040 Products, ...) read.'
        }
        @{
            Code    = 'PS> ''RETAILSTORETABLE'', ''RETAILCHANNELTABLE'' | Enable-AsyncChangeTracking -RetentionDays 30 -WhatIf'
            Remarks = 'Shows what enabling change tracking for the two channel configuration tables, with 30 days of history, would do. Remove -WhatIf to do it.'
        }
        @{
            Code    = 'PS> Enable-AsyncChangeTracking -RetentionDays 21 -Confirm:$false | Where-Object { -not $_.Enabled }'
            Remarks = 'After a subjob was added to the configuration, enables the new table (existing tables keep their history and get the new retention) without a prompt, and shows any table that is still not tracked.'
        }
    )
    Outputs     = 'One per table: Table, Enabled, MinValidVersion (the oldest version from which changes can be computed), CurrentVersion and TrackedRows (change records kept).'
    Notes       = 'Error ids: TableNotFound (a table does not exist in HQ), ConfigurationInvalid (a table has no primary key), PermissionDenied, ConnectionFailed, ProviderNotAvailable, SecretNotFound, ConfigurationNotFound. Enabling change tracking does not send anything: the first distribution of each (data group, job) is a full sync.'
    Links       = @('Invoke-AsyncChangeTrackingCleanup', 'Start-AsyncDistribution', 'Test-AsyncConfiguration')
}
