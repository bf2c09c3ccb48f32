@{
    Synopsis    = 'Makes random inserts, updates and deletes in the sample HQ database, to see incremental distribution at work.'
    Description = @'
Update-AsyncSampleData changes the HQ database of a sample environment (New-AsyncSampleEnvironment) the way daily work in headquarters would, so that the next Start-AsyncDistribution has changes to package:

- inserts new products, each with its translations (en-us and de) and, for each legal entity it is released to, an item, a bar code and a price;
- updates random rows: price amounts, prices moved from one legal entity to the other (so a row leaves one data group's filter and enters the other's, and is delivered as a delete to one and an upsert to the other), product names, item types and weights, customers' blocked flag and credit limit;
- deletes random bar codes, prices and customers.

All changes are made in one transaction. The changes are chosen by a random seed: the same seed on the same database makes the same changes, so a demonstration or a failing test can be replayed. The seed is shown with -Verbose.

The cmdlet works only when the configuration's HQ connection is a SQLite file with the sample schema; any other HQ fails with the error id SampleNeedsSqlite.
'@
    Parameters  = @{
        Insert = 'How many new products to insert (0 to 1,000,000). Each product adds several rows: its translations and, per legal entity, its item, bar code and price.'
        Update = 'How many random update statements to run (0 to 1,000,000). Each updates one row; the output''s Updated count is the number of rows actually changed.'
        Delete = 'How many random delete statements to run (0 to 1,000,000). Each deletes at most one row; the output''s Deleted count is the number of rows actually removed.'
        Seed   = 'The seed of the random choices. The same seed on the same database makes the same changes. Default: a new seed for every run (the system tick count), shown with -Verbose.'
        WhatIf = 'Shows the HQ database and the numbers of inserts, updates and deletes with the seed, without changing anything.'
        Confirm = 'Prompts before the sample data is changed.'
    }
    Defaults    = @{ Seed = 'a new seed every run' }
    Examples    = @(
        @{
            Code    = @'
PS> Update-AsyncSampleData -ConfigurationPath ~/asyncserver-sample/asyncserver.json

Inserted Updated Deleted
-------- ------- -------
      10      25       5
'@
            Remarks = 'Makes the default round of changes: 10 new products, 25 updates and 5 deletes.'
        }
        @{
            Code    = @'
PS> Update-AsyncSampleData -Insert 0 -Update 200 -Delete 0 -Seed 42 -Verbose
PS> Start-AsyncDistribution -Job 1020, 1040 -WhatIf
'@
            Remarks = 'Makes a reproducible round of 200 updates only (seed 42), then shows the incremental packages the price and product jobs would create for each data group, with their version ranges.'
        }
    )
    Outputs     = 'One object with Inserted (products), Updated (rows) and Deleted (rows).'
    Notes       = 'Large runs report progress (Write-Progress) about every percent of the changes asked for. Error ids: SampleNeedsSqlite, ConfigurationNotFound. Use it only on a sample environment: it writes to the HQ database directly.'
    Links       = @('New-AsyncSampleEnvironment', 'Start-AsyncDistribution')
}
