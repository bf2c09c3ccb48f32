using AsyncServer.Configuration;
using AsyncServer.Data;

namespace AsyncServer.Samples;

/// <summary>
/// The demo's configuration: two data groups (one per legal entity, two stores each), jobs 1010 Customers,
/// 1020 Prices, 1040 Products and 1070 Channel configuration, with filters and a field map; and upload job P-0001 Sales
/// transactions with its upload schedule.
/// </summary>
public static class SampleConfiguration
{
    public static AsyncServerConfiguration Create(string hqFile = "hq.db", string messageFile = "message.db", string channelFolder = "channels")
    {
        ChannelDatabaseSettings Store(string id, string dataAreaId) => new()
        {
            Id = id,
            Parameters = new(StringComparer.OrdinalIgnoreCase) { ["DataAreaId"] = dataAreaId },
            Connection = new ConnectionSettings { Provider = "sqlite", ConnectionString = $"Data Source={channelFolder}/{id}.db" },
        };
        return new AsyncServerConfiguration
        {
            Partition = "ps1",
            Hq = new ConnectionSettings { Provider = "sqlite", ConnectionString = $"Data Source={hqFile}" },
            MessageDatabase = new ConnectionSettings { Provider = "sqlite", ConnectionString = $"Data Source={messageFile}" },
            WorkingFolders = new WorkingFolderSettings { Download = "download", Upload = "upload" },
            PackageLimits = new PackageLimitSettings { MaxRows = 100_000, MaxBytes = 64L * 1024 * 1024 },
            TryCount = 3,
            RetentionDays = 14,
            DataGroups =
            [
                new DataGroupSettings
                {
                    Id = "USRT-Stores", Name = "Retail stores of usrt", ChannelDatabases = [Store("HOUSTON", "usrt"), Store("SEATTLE", "usrt")],
                },
                new DataGroupSettings
                {
                    Id = "USMF-Stores", Name = "Retail stores of usmf", ChannelDatabases = [Store("CHICAGO", "usmf"), Store("DETROIT", "usmf")],
                },
            ],
            Subjobs = Subjobs(),
            Jobs =
            [
                new JobSettings { Id = "1010", Name = "Customers", Subjobs = ["DIRPARTYTABLE", "CUSTTABLE"] },
                new JobSettings { Id = "1020", Name = "Prices and discounts", Subjobs = ["PRICEDISCTABLE"] },
                new JobSettings { Id = "1040", Name = "Products", Subjobs = ["ECORESPRODUCT", "ECORESPRODUCTTRANSLATION", "INVENTTABLE", "INVENTITEMBARCODE"] },
                new JobSettings { Id = "1070", Name = "Channel configuration", Subjobs = ["RETAILCHANNELTABLE", "RETAILSTORETABLE"] },
            ],
            Schedules = Schedules(),
            UploadSubjobs = SampleSales.Tables.Select(t => new UploadSubjobSettings { Id = t, ChannelTable = t }).ToList(),
            UploadJobs = [new UploadJobSettings { Id = SampleSales.JobId, Name = "Sales transactions", Subjobs = [.. SampleSales.Tables] }],
        };
    }

    /// <summary>Rows of a legal entity: the filter of the company-specific tables.</summary>
    private const string ByCompany = "DATAAREAID = @DataAreaId";

    /// <summary>The subjobs of the four jobs, over the AX-like sample schema (Samples/SampleSchema).</summary>
    private static List<SubjobSettings> Subjobs() =>
        [
            new SubjobSettings
            {
                Id = "ECORESPRODUCT", HqTable = "ECORESPRODUCT", Filter = "EXISTS INVENTTABLE (PRODUCT = RECID AND DATAAREAID = @DataAreaId)",
            },
            new SubjobSettings { Id = "ECORESPRODUCTTRANSLATION", HqTable = "ECORESPRODUCTTRANSLATION" },
            new SubjobSettings
            {
                Id = "INVENTTABLE", HqTable = "INVENTTABLE", ChannelTable = "INVENTTABLE", Filter = ByCompany,
                // A field map: the channel keeps fewer columns, one under another name.
                Fields = new(StringComparer.OrdinalIgnoreCase)
                {
                    ["ITEMID"] = "ITEMID", ["DATAAREAID"] = "DATAAREAID", ["PRODUCT"] = "PRODUCT", ["NAMEALIAS"] = "SEARCHALIAS",
                    ["ITEMTYPE"] = "ITEMTYPE", ["NETWEIGHT"] = "NETWEIGHT", ["CREATEDDATETIME"] = "CREATEDDATETIME",
                },
            },
            new SubjobSettings { Id = "INVENTITEMBARCODE", HqTable = "INVENTITEMBARCODE", Filter = ByCompany },
            new SubjobSettings { Id = "PRICEDISCTABLE", HqTable = "PRICEDISCTABLE", Filter = ByCompany },
            new SubjobSettings { Id = "DIRPARTYTABLE", HqTable = "DIRPARTYTABLE" },
            new SubjobSettings { Id = "CUSTTABLE", HqTable = "CUSTTABLE", Filter = ByCompany },
            new SubjobSettings { Id = "RETAILCHANNELTABLE", HqTable = "RETAILCHANNELTABLE", Filter = ByCompany },
            new SubjobSettings { Id = "RETAILSTORETABLE", HqTable = "RETAILSTORETABLE", Filter = ByCompany },
        ];

    /// <summary>Products and prices every quarter hour, customers and channel configuration nightly.</summary>
    private static List<ScheduleSettings> Schedules() =>
        [
            new ScheduleSettings
            {
                Name = "Products-and-prices", Jobs = ["1040", "1020"], DataGroups = ["USRT-Stores", "USMF-Stores"],
                Recurrence = new RecurrenceSettings { Interval = "00:15:00" },
            },
            new ScheduleSettings
            {
                Name = "Nightly", Jobs = ["1010", "1070"], DataGroups = ["USRT-Stores", "USMF-Stores"],
                Recurrence = new RecurrenceSettings { Cron = "0 2 * * *", TimeZone = "UTC" },
            },
            // Applies at HQ what the stores uploaded (docs/upload.md).
            new ScheduleSettings
            {
                Name = "Sales-upload", Direction = "Upload", Jobs = [SampleSales.JobId], DataGroups = ["USRT-Stores", "USMF-Stores"],
                Recurrence = new RecurrenceSettings { Interval = "00:05:00" },
            },
        ];
}
