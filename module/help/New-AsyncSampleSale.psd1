@{
    Synopsis    = 'Rings up sample sales at a store''s channel database, to see upload at work.'
    Description = @'
New-AsyncSampleSale writes sales into the channel database of a sample store (New-AsyncSampleEnvironment): each sale is one transaction with a RETAILTRANSACTIONTABLE header, one to five RETAILTRANSACTIONSALESTRANS lines and a RETAILTRANSACTIONPAYMENTTRANS payment. The tables are created when missing, with REPLICATIONCOUNTERFROMORIGIN as an identity column, the counter upload job P-0001 sends by. Then Send-AsyncPackage sends them and Start-AsyncDistribution -Schedule Sales-upload applies them at HQ.
'@
    Parameters  = @{
        ChannelDatabase = 'The stores to sell at; each must have a connection in the configuration. Binds from the pipeline by value and by property name.'
        Count           = 'Sales per store (1 to 1,000,000). Default 10.'
        Seed            = 'The seed of the random lines, quantities, prices and tenders. Transaction ids are always new. Default: a new seed every run.'
        WhatIf          = 'Names the stores and the number of sales without writing anything.'
        Confirm         = 'Prompts before each store.'
    }
    Defaults    = @{ Seed = 'a new seed every run' }
    Examples    = @(
        @{
            Code    = @'
PS> New-AsyncSampleSale HOUSTON, SEATTLE -Count 5

ChannelDatabase Sales FirstTransaction      LastTransaction
--------------- ----- ----------------      ---------------
HOUSTON             5 HOUSTON-1f0c2a9e41b7  HOUSTON-9a3e77c01d22
SEATTLE             5 SEATTLE-0b6d1e2f3a45  SEATTLE-c4d5e6f70812
'@
            Remarks = 'Rings up five sales at each of two stores.'
        }
        @{
            Code    = @'
PS> New-AsyncSampleSale HOUSTON -Count 3 -Seed 7
PS> Send-AsyncPackage HOUSTON
PS> Start-AsyncDistribution -Schedule Sales-upload
'@
            Remarks = 'The whole upload round trip: three sales at Houston, sent to the upload folder, applied at HQ by the sample''s upload schedule.'
        }
    )
    Outputs     = 'One object per store with the number of sales and the first and last transaction id.'
    Notes       = 'Use it only on a sample environment: it writes to the store''s database directly.'
    Links       = @('Send-AsyncPackage', 'New-AsyncSampleEnvironment')
}
