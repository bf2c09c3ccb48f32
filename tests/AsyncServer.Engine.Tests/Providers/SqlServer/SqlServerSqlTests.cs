using System.Reflection;
using AsyncServer.ChangeTracking;
using AsyncServer.Checks;
using AsyncServer.Configuration;
using AsyncServer.Data;
using AsyncServer.Distribution;
using AsyncServer.Filtering;
using AsyncServer.Packaging;
using AsyncServer.Providers.SqlServer;
using AsyncServer.Providers.Sqlite;
using AsyncServer.Samples;
using AsyncServer.Tests.Support;

namespace AsyncServer.Tests.SqlServer;

/// <summary>
/// Every SQL text the SQL Server provider can send, checked without a server (rules in <see cref="TSqlChecker"/>):
/// the demo configuration's subjobs for every data group, and a table whose names contain spaces, brackets and
/// Unicode. The SQL Server HQ schema of the demo is the sample schema as a real catalog describes it (read here
/// from SQLite, whose DDL is the same), placed in schema dbo.
/// </summary>
public sealed class SqlServerSqlTests
{
    internal static void AssertClean(string sql, bool allowStringLiterals = false)
    {
        var report = TSqlChecker.Check(sql);
        Assert.True(report.ParseErrors.Count == 0, $"Parse errors in:{Environment.NewLine}{sql}{Environment.NewLine}{string.Join(Environment.NewLine, report.ParseErrors)}");
        Assert.True(report.UnquotedIdentifiers.Count == 0,
            $"Identifiers not bracket-quoted in:{Environment.NewLine}{sql}{Environment.NewLine}{string.Join(", ", report.UnquotedIdentifiers.Select(TSqlChecker.Show))}");
        // Text literals are reported by the caller that allows them (only the dynamic ALTER DATABASE), checked there.
        var literals = report.ValueLiterals.Where(l => !allowStringLiterals || l is not Microsoft.SqlServer.TransactSql.ScriptDom.StringLiteral).ToList();
        Assert.True(literals.Count == 0,
            $"Literals other than 0/1/NULL in:{Environment.NewLine}{sql}{Environment.NewLine}{string.Join(", ", literals.Select(l => l.Value))}");
        if (!allowStringLiterals) Assert.Empty(report.StringLiterals);
    }

    // ---- the demo configuration -------------------------------------------------------------------------------

    private static async Task<(AsyncServerConfiguration Config, IReadOnlyDictionary<string, ResolvedSubjob> Subjobs)> DemoAsync()
    {
        using var folder = new TempFolder("sqlserver-sql");
        var hq = ResolvedConnection.FromString(DatabaseProvider.Sqlite, $"Data Source={folder.File("hq.db")}");
        await using (var conn = await SqliteConnections.OpenAsync(hq, create: true, default))
            await SqliteConnections.ExecuteAsync(conn, SampleSchema.Ddl, default);
        var config = SampleConfiguration.Create();
        await using var source = new SqliteChangeSource(hq);
        var (resolved, problems) = await CatalogChecker.ResolveAsync(config, source, null, default);
        Assert.Empty(problems);
        static TableSchema InDbo(TableSchema t) => t with { Schema = "dbo" };
        var subjobs = resolved.ToDictionary(p => p.Key, p => p.Value with
        {
            Table = InDbo(p.Value.Table),
            ParentTables = p.Value.ParentTables.ToDictionary(x => x.Key, x => InDbo(x.Value), StringComparer.OrdinalIgnoreCase),
        }, StringComparer.OrdinalIgnoreCase);
        return (config, subjobs);
    }

    private static ExtractionQuery QueryFor(ResolvedSubjob subjob, IReadOnlyDictionary<string, string> parameters)
        => new(subjob.Table, subjob.Columns, subjob.KeyColumns, subjob.Filter, parameters, name => subjob.ParentTables[name]);

    [Fact]
    public async Task Extraction_of_every_demo_subjob_for_every_data_group_parses_quotes_every_identifier_and_binds_every_value()
    {
        var (config, subjobs) = await DemoAsync();
        var checkedStatements = 0;
        foreach (var group in config.DataGroups)
        {
            var parameters = group.ChannelDatabases[0].Parameters;
            foreach (var subjob in subjobs.Values)
            {
                foreach (var incremental in new[] { false, true })
                {
                    var extraction = SqlServerSql.Extract(QueryFor(subjob, parameters), incremental);
                    AssertClean(extraction.Sql);
                    var report = TSqlChecker.Check(extraction.Sql);
                    var expected = extraction.Parameters.Select(p => "@" + p.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
                    if (incremental) expected.UnionWith(["@from", "@to"]);
                    Assert.Equal(expected.Order(), report.Parameters.Order());
                    // The data group's values reach the server only as parameters.
                    foreach (var value in parameters.Values) Assert.DoesNotContain(value, extraction.Sql, StringComparison.OrdinalIgnoreCase);
                    foreach (var p in extraction.Parameters) Assert.Contains(p.Value, parameters.Values.Cast<object>());
                    checkedStatements++;
                }
            }
        }
        Assert.Equal(config.DataGroups.Count * subjobs.Count * 2, checkedStatements);
    }

    [Fact]
    public async Task An_incremental_read_joins_CHANGETABLE_by_key_and_turns_rows_leaving_the_filter_into_deletes()
    {
        var (_, subjobs) = await DemoAsync();
        var inventTable = subjobs["INVENTTABLE"];
        var sql = SqlServerSql.Extract(QueryFor(inventTable, new Dictionary<string, string> { ["DataAreaId"] = "usrt" }), incremental: true).Sql;
        Assert.StartsWith("WITH [ck] AS (SELECT [ct].[ITEMID], [ct].[DATAAREAID] FROM CHANGETABLE(CHANGES [dbo].[INVENTTABLE], @from) AS [ct] WHERE [ct].[SYS_CHANGE_VERSION] <= @to) " +
                          "SELECT CASE WHEN [t].[ITEMID] IS NOT NULL AND [t].[DATAAREAID] = @f0 THEN 1 ELSE 0 END AS [__upsert], [ct].[ITEMID], [ct].[DATAAREAID], [t].[PRODUCT]", sql);
        Assert.EndsWith("FROM [ck] AS [ct] LEFT JOIN [dbo].[INVENTTABLE] AS [t] ON [t].[ITEMID] = [ct].[ITEMID] AND [t].[DATAAREAID] = [ct].[DATAAREAID];", sql);

        // EXISTS on a parent table (ECORESPRODUCT is shared, restricted through INVENTTABLE of the legal entity).
        var product = SqlServerSql.Extract(QueryFor(subjobs["ECORESPRODUCT"], new Dictionary<string, string> { ["DataAreaId"] = "usmf" }), incremental: false);
        Assert.Contains("EXISTS (SELECT 1 FROM [dbo].[INVENTTABLE] AS [p0] WHERE [p0].[PRODUCT] = [t].[RECID] AND [p0].[DATAAREAID] = @f0)", product.Sql);
        Assert.Equal("usmf", Assert.Single(product.Parameters).Value);
    }

    [Fact]
    public async Task An_incremental_read_through_a_parent_also_takes_the_children_of_the_parents_changed_in_the_range_now_and_before()
    {
        var (_, subjobs) = await DemoAsync();
        var sql = SqlServerSql.Extract(QueryFor(subjobs["ECORESPRODUCT"], new Dictionary<string, string> { ["DataAreaId"] = "usmf" }), incremental: true).Sql;
        // One statement: the candidate keys as a UNION of joins driven by CHANGETABLE, then each key looked up once. PRODUCT
        // = RECID ties the child's whole key: the changed items and their before-images name the products themselves.
        Assert.Contains("SELECT [ct].[RECID] FROM CHANGETABLE(CHANGES [dbo].[ECORESPRODUCT], @from) AS [ct] WHERE [ct].[SYS_CHANGE_VERSION] <= @to", sql);
        Assert.Contains(" UNION SELECT [p].[PRODUCT] FROM CHANGETABLE(CHANGES [dbo].[INVENTTABLE], @from) AS [ps] INNER JOIN [dbo].[INVENTTABLE] AS [p] " +
                        "ON [p].[ITEMID] = [ps].[ITEMID] AND [p].[DATAAREAID] = [ps].[DATAAREAID] WHERE [ps].[SYS_CHANGE_VERSION] <= @to AND [p].[PRODUCT] IS NOT NULL", sql);
        Assert.Contains(" UNION SELECT [pb].[PRODUCT] FROM CHANGETABLE(CHANGES [dbo].[INVENTTABLE], @from) AS [ps] INNER JOIN [dbo].[__async_ct_INVENTTABLE__before] AS [pb] " +
                        "ON [pb].[ITEMID] = [ps].[ITEMID] AND [pb].[DATAAREAID] = [ps].[DATAAREAID] WHERE [ps].[SYS_CHANGE_VERSION] <= @to AND [pb].[PRODUCT] IS NOT NULL", sql);
        Assert.Contains("AND EXISTS (SELECT 1 FROM [dbo].[INVENTTABLE] AS [p0] WHERE [p0].[PRODUCT] = [t].[RECID] AND [p0].[DATAAREAID] = @f0) THEN 1 ELSE 0 END", sql);
        AssertClean(sql);
    }

    [Fact]
    public async Task Before_image_log_statements_of_the_demo_parent_are_clean()
    {
        var (_, subjobs) = await DemoAsync();
        var parent = subjobs["ECORESPRODUCT"].ParentTables["INVENTTABLE"];
        var product = parent.Find("PRODUCT")!;
        Assert.Equal(["@log"], TSqlChecker.Check(SqlServerSql.CreateBeforeImageTable(parent, [product])).Parameters);
        AssertClean(SqlServerSql.CreateBeforeImageTable(parent, [product]));
        AssertClean(SqlServerSql.AddBeforeImageColumn(parent, product));
        var trigger = SqlServerSql.BeforeImageTriggerDdl(parent, [product]);
        AssertClean(trigger);
        Assert.Contains("AFTER UPDATE, DELETE", trigger);
        Assert.Contains("SELECT [d].[ITEMID], [d].[DATAAREAID], [d].[PRODUCT], SYSUTCDATETIME() FROM [deleted] AS [d]", trigger);
        Assert.Equal(["@cutoff"], TSqlChecker.Check(SqlServerSql.CleanupBeforeImages(parent)).Parameters);
        AssertClean(SqlServerSql.CleanupBeforeImages(parent));
    }

    [Fact]
    public async Task Change_tracking_statements_of_every_demo_table_are_clean()
    {
        var (_, subjobs) = await DemoAsync();
        foreach (var table in subjobs.Values.Select(s => s.Table))
        {
            AssertClean(SqlServerSql.EnableTableChangeTracking(table));
            Assert.Equal(["@table"], TSqlChecker.Check(SqlServerSql.EnableTableChangeTracking(table)).Parameters);
            AssertClean(SqlServerSql.CountTrackedRows(table));
            AssertClean(SqlServerSql.ResetTableChangeTracking(table));
            Assert.Equal("[dbo].[" + table.Name + "]", SqlServerSql.Table(table));
        }
    }

    [Fact]
    public async Task Channel_apply_statements_of_every_demo_package_table_are_clean()
    {
        var (_, subjobs) = await DemoAsync();
        foreach (var subjob in subjobs.Values)
        {
            var packageTable = subjob.DescribeForPackage();
            foreach (var identity in new[] { false, true })
            {
                var plan = SqlServerChannelTarget.Plan(ChannelTableFor(packageTable, identity), packageTable, 1);
                Assert.Equal(identity, plan.IdentityInsert);
                foreach (var sql in ChannelStatements(plan)) AssertClean(sql);
            }
        }
    }

    private static SqlServerTable ChannelTableFor(PackageTable table, bool identityOnFirstColumn)
    {
        var columns = table.Columns.Select(c => new ColumnSchema(c.Name, c.Type, "nvarchar(100)", c.Nullable, table.KeyColumns.IndexOf(c.Name) + 1)).ToList();
        var identity = identityOnFirstColumn ? new HashSet<string> { columns[0].Name } : [];
        return new SqlServerTable(new TableSchema("dbo", table.ChannelTable, columns), identity, new HashSet<string>());
    }

    private static IEnumerable<string> ChannelStatements(ChannelApplyPlan plan)
    {
        yield return SqlServerChannelSql.CreateStage(plan);
        yield return SqlServerChannelSql.DeduplicateStage(plan);
        yield return SqlServerChannelSql.ApplyDeletes(plan);
        if (SqlServerChannelSql.ApplyUpdates(plan) is { } update) yield return update;
        yield return SqlServerChannelSql.ApplyInserts(plan);
        yield return SqlServerChannelSql.DropStage;
        yield return SqlServerChannelSql.DeleteAll(plan.Table);
    }

    [Fact]
    public async Task Missing_channel_tables_are_created_from_the_manifest_with_clean_DDL()
    {
        var (_, subjobs) = await DemoAsync();
        foreach (var packageTable in subjobs.Values.Select(s => s.DescribeForPackage()))
            foreach (var name in new[] { packageTable.ChannelTable, "ax." + packageTable.ChannelTable })
            {
                var ddl = SqlServerChannelSql.CreateTable(QualifiedName.Parse(name), packageTable);
                AssertClean(ddl);
                Assert.Contains($"PRIMARY KEY ({string.Join(", ", packageTable.KeyColumns.Select(k => "[" + k + "]"))})", ddl);
            }
        var awkward = new PackageTable
        {
            ChannelTable = "x", Subjob = "AWKWARD", KeyColumns = ["Key ]Col", "Wert ä ü"],
            Columns = Awkward.Columns.Select(c => new PackageColumn { Name = c.Name, Type = c.Type, Key = c.IsKey, Nullable = c.Nullable }).ToList(),
        };
        var sql = SqlServerChannelSql.CreateTable(new QualifiedName("my schema]", "Odd ]Table ä 名前"), awkward);
        AssertClean(sql);
        Assert.Contains("[Key ]]Col] bigint NOT NULL, [Wert ä ü] nvarchar(450) NOT NULL, [名前] nvarchar(max) NULL", sql);
        Assert.Equal(AwkwardNames.Except(["Parent [Table]", "Ref ]Id"]).Order(), TSqlChecker.Check(sql).IdentifierValues.Order());
    }

    // ---- awkward names ------------------------------------------------------------------------------------------

    private static readonly TableSchema Awkward = new("my schema]", "Odd ]Table ä 名前",
    [
        new ColumnSchema("Key ]Col", LogicalType.Int64, "bigint", false, 1),
        new ColumnSchema("Wert ä ü", LogicalType.String, "nvarchar(4)", false, 2),
        new ColumnSchema("名前", LogicalType.String, "nvarchar(60)", true, 0),
        new ColumnSchema("x]]y", LogicalType.Double, "real", true, 0),
        new ColumnSchema("PARTITION", LogicalType.Int64, "bigint", false, 0),
        new ColumnSchema("[bracketed]", LogicalType.String, "sql_variant", true, 0),
    ]);

    private static readonly TableSchema AwkwardParent = new("dbo", "Parent [Table]",
    [
        new ColumnSchema("Ref ]Id", LogicalType.Int64, "bigint", false, 1),
        new ColumnSchema("DATAAREAID", LogicalType.String, "nvarchar(4)", false, 0),
    ]);

    private static readonly string[] AwkwardNames = ["my schema]", "Odd ]Table ä 名前", "Key ]Col", "Wert ä ü", "名前", "x]]y", "PARTITION", "[bracketed]", "Parent [Table]", "Ref ]Id"];

    private static ExtractionQuery AwkwardQuery()
    {
        // Quoted with "..." in the filter language, so that ']' can be part of a name.
        var filter = FilterParser.Parse("\"Wert ä ü\" = @DataAreaId AND PARTITION = 5637144576 AND \"名前\" LIKE 'Caf%' " +
                                        "AND EXISTS \"Parent [Table]\" (\"Ref ]Id\" = \"Key ]Col\" AND DATAAREAID = @DataAreaId) AND \"x]]y\" IN (1.5, 2.5)");
        return new ExtractionQuery(Awkward, Awkward.Columns, Awkward.PrimaryKey, filter,
            new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["DataAreaId"] = "us'rt" }, _ => AwkwardParent);
    }

    [Fact]
    public void Awkward_names_are_quoted_and_reach_the_server_unchanged()
    {
        foreach (var incremental in new[] { false, true })
        {
            var extraction = SqlServerSql.Extract(AwkwardQuery(), incremental);
            AssertClean(extraction.Sql);
            var report = TSqlChecker.Check(extraction.Sql);
            // What the server sees as names is exactly the catalog's spelling (brackets unescaped), plus our aliases.
            Assert.Superset(AwkwardNames.ToHashSet(), new HashSet<string>(report.IdentifierValues));
            // The incremental read's own names (ChangeTracking/ParentFilters): the candidate keys, the parent's changes and its before-image log.
            var ours = new HashSet<string> { "t", "ct", "p0", "__upsert", "SYS_CHANGE_VERSION", "dbo", "DATAAREAID", "ck", "ps", "p", "pb", "__async_ct_Parent [Table]__before" };
            Assert.Empty(report.IdentifierValues.Except(AwkwardNames).Except(ours));
            // Every literal of the filter became a parameter of the column's type.
            Assert.DoesNotContain("5637144576", extraction.Sql);
            Assert.DoesNotContain("Caf", extraction.Sql);
            Assert.DoesNotContain("us'rt", extraction.Sql);
            Assert.Equal(new object?[] { "us'rt", 5637144576L, "Caf%", "us'rt", 1.5d, 2.5d }, extraction.Parameters.Select(p => p.Value));
            // real is read as float, sql_variant as text: the package writer gets the CLR types it expects.
            Assert.Contains("CONVERT(float, [t].[x]]]]y])", extraction.Sql);
            Assert.Contains("CONVERT(nvarchar(max), [t].[[bracketed]]])", extraction.Sql);
        }
    }

    [Fact]
    public void Awkward_names_in_change_tracking_and_channel_statements_are_quoted()
    {
        AssertClean(SqlServerSql.EnableTableChangeTracking(Awkward));
        AssertClean(SqlServerSql.CountTrackedRows(Awkward));
        AssertClean(SqlServerSql.ResetTableChangeTracking(Awkward));
        Assert.Equal("[my schema]]].[Odd ]]Table ä 名前]", SqlServerSql.Table(Awkward));

        var packageTable = new PackageTable
        {
            ChannelTable = "my schema].Odd ]Table ä 名前", Subjob = "AWKWARD",
            Columns = Awkward.Columns.Where(c => c.NativeType != "sql_variant").Select(c => new PackageColumn { Name = c.Name, Type = c.Type, Key = c.IsKey, Nullable = c.Nullable }).ToList(),
            KeyColumns = ["Key ]Col", "Wert ä ü"],
        };
        var plan = SqlServerChannelTarget.Plan(new SqlServerTable(Awkward, new HashSet<string>(), new HashSet<string>()), packageTable, 7);
        foreach (var sql in ChannelStatements(plan))
        {
            AssertClean(sql);
            Assert.Empty(TSqlChecker.Check(sql).IdentifierValues.Except(AwkwardNames).Except(["t", "s", "n", "d", "one", "#asyncserver_stage", "__upsert", "__seq"]));
        }
    }

    [Fact]
    public void A_package_column_missing_from_the_channel_table_is_named_before_anything_is_written()
    {
        var packageTable = new PackageTable
        {
            ChannelTable = "T", Subjob = "S",
            Columns = [new PackageColumn { Name = "Key ]Col", Type = LogicalType.Int64, Key = true }, new PackageColumn { Name = "NOPE", Type = LogicalType.String }],
            KeyColumns = ["Key ]Col"],
        };
        var ex = Assert.Throws<Diagnostics.AsyncServerException>(() =>
            SqlServerChannelTarget.Plan(new SqlServerTable(Awkward, new HashSet<string>(), new HashSet<string> { "名前" }), packageTable, 42));
        Assert.Equal(Diagnostics.ErrorIds.ChannelTableMismatch, ex.ErrorId);
        Assert.Contains("lacks column(s) NOPE", ex.Message);
        Assert.Contains("session 42", ex.Message);
    }

    // ---- fixed statements ---------------------------------------------------------------------------------------

    /// <summary>
    /// Every constant statement, found by reflection so that a new one cannot be missed: string constants of the static
    /// SQL classes, and the parameterless string properties, instance or static, of the SQL-text objects (the message
    /// store's texts are <see cref="AsyncServer.Messaging.Sql.MessageStoreSql"/>'s, in SQL Server's spelling; texts that need
    /// no instance are static), and the message store's migrations.
    /// </summary>
    private static IEnumerable<(string Name, string Sql)> Statements()
    {
        foreach (var type in new[] { typeof(SqlServerSql), typeof(SqlServerChannelSql) })
            foreach (var field in type.GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral && f.FieldType == typeof(string)))
                yield return ($"{type.Name}.{field.Name}", (string)field.GetRawConstantValue()!);
        foreach (var texts in new object[]
                 {
                     SqlServerMessageStoreSql.Instance, SqlServerStatusArchiveSql.Instance, SqlServerMessageStoreSql.Instance.Uploads,
                     AsyncServer.Upload.HqCounterSql.SqlServer,
                 })
            foreach (var property in texts.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static).Where(p => p.PropertyType == typeof(string)))
                if (property.GetValue(texts) is string sql) yield return ($"{texts.GetType().Name}.{property.Name}", sql);
        // The migrations are written once for every provider, as a list: migration n is named as the static property it once was.
        for (var i = 0; i < SqlServerMessageStoreSql.Instance.Migrations.Count; i++)
            yield return ($"{nameof(SqlServerMessageStoreSql)}.Migration{i + 1}", SqlServerMessageStoreSql.Instance.Migrations[i]);
    }

    public static TheoryData<string> ConstantStatements()
    {
        var data = new TheoryData<string>();
        foreach (var (name, sql) in Statements())
            if (sql.Contains(' ')) data.Add(name);
        return data;
    }

    private static string ConstantValue(string name) => Statements().Single(s => s.Name == name).Sql;

    [Theory]
    [MemberData(nameof(ConstantStatements))]
    public void Every_constant_statement_is_clean(string name) => AssertClean(ConstantValue(name));

    [Fact]
    public void The_constant_statements_found_include_the_catalog_change_tracking_and_message_store_texts()
    {
        var names = ((IEnumerable<object[]>)ConstantStatements()).Select(row => (string)row[0]).ToList();
        Assert.Contains("SqlServerSql.DescribeTable", names);
        Assert.Contains("SqlServerSql.MinValidVersion", names);
        Assert.Contains("SqlServerMessageStoreSql.GetAppLock", names);
        Assert.Contains("SqlServerMessageStoreSql.WriteRowVersion", names);
        Assert.Contains("SqlServerMessageStoreSql.Migration2", names);
        Assert.Contains("SqlServerStatusArchiveSql.UpsertSessionStatus", names);
        Assert.Contains("UploadStoreSql.ChangeStatus", names);
        Assert.Contains("HqCounterSql.Upsert", names);
        Assert.True(names.Count >= 25, $"only {names.Count} constant statements found");
    }

    [Fact]
    public void Message_store_migrations_and_built_queries_are_clean()
    {
        foreach (var migration in SqlServerMessageStoreSql.Instance.Migrations) AssertClean(migration);
        AssertClean(SqlServerMessageStoreSql.Instance.QuerySessions(new(0, 0, 0, 0, 0, false, false, false, false)));
        AssertClean(SqlServerMessageStoreSql.Instance.QuerySessions(new(0, 0, 0, 0, 0, true, false, false, false)));
        var all = SqlServerMessageStoreSql.Instance.QuerySessions(new(3, 2, 2, 2, 2, false, true, true, true));
        AssertClean(all);
        Assert.Equal(
            new[] { "@id0", "@id1", "@id2", "@job0", "@job1", "@grp0", "@grp1", "@st0", "@st1", "@cdb0", "@cdb1", "@after", "@before", "@limit" }.Order(StringComparer.OrdinalIgnoreCase),
            TSqlChecker.Check(all).Parameters.Order(StringComparer.OrdinalIgnoreCase));
        AssertClean(SqlServerMessageStoreSql.Instance.TargetsOf(1));
        foreach (var shape in new[] { (false, false, false, false), (true, true, true, true), (false, true, true, false) })
            AssertClean(SqlServerMessageStoreSql.Instance.Uploads.QueryUploads(shape.Item1, shape.Item2, shape.Item3, shape.Item4));
        AssertClean(SqlServerMessageStoreSql.Instance.TargetsOf(SqlServerMessageStoreSql.TargetBatch));
    }

    [Fact]
    public void Lease_application_lock_names_fit_sp_getapplock_whatever_the_resource()
    {
        var name = SqlServerMessageStoreSql.AppLockName(new string('x', 5000) + "名前");
        Assert.True(name.Length <= 255);
        Assert.NotEqual(SqlServerMessageStoreSql.AppLockName("download/ps1/G1/1040"), SqlServerMessageStoreSql.AppLockName("download/ps1/G1/1010"));
    }

    // ---- the one dynamic statement --------------------------------------------------------------------------------

    [Theory]
    [InlineData(14.0, 14L, "Days")]
    [InlineData(0.5, 12L, "Hours")]
    [InlineData(0.01, 15L, "Minutes")]
    public void Database_change_tracking_retention_is_a_parameter_substituted_into_a_constant_statement(double days, long value, string unitName)
    {
        var unit = Enum.Parse<SqlServerSql.RetentionUnit>(unitName);
        var (actualValue, actualUnit) = SqlServerSql.Retention(TimeSpan.FromDays(days));
        Assert.Equal((value, unit), (actualValue, actualUnit));
        foreach (var alreadyOn in new[] { false, true })
        {
            var batch = SqlServerSql.SetDatabaseChangeTracking(alreadyOn, unit);
            AssertClean(batch, allowStringLiterals: true);
            var report = TSqlChecker.Check(batch);
            Assert.Equal(["@retention"], report.Parameters);
            // The only text literals are the constant template and its placeholder: no value from the caller.
            Assert.Equal([SqlServerSql.SetDatabaseChangeTrackingTemplate(alreadyOn, unit), SqlServerSql.RetentionPlaceholder], report.StringLiterals);
            // What the server executes once the parameter is substituted is a valid ALTER DATABASE.
            var executed = SqlServerSql.SetDatabaseChangeTrackingTemplate(alreadyOn, unit).Replace(SqlServerSql.RetentionPlaceholder, value.ToString());
            Assert.Empty(TSqlChecker.Check(executed).ParseErrors);
            Assert.Contains($"CHANGE_RETENTION = {value} {unit.ToString().ToUpperInvariant()}, AUTO_CLEANUP = ON", executed);
            Assert.Equal(!alreadyOn, executed.Contains("CHANGE_TRACKING = ON"));
        }
    }

    [Fact]
    public void The_snapshot_isolation_error_names_the_exact_statement_with_the_database_quoted()
    {
        Assert.Equal("ALTER DATABASE [MicrosoftDynamicsAX] SET ALLOW_SNAPSHOT_ISOLATION ON", SqlServerSql.AllowSnapshotIsolation("MicrosoftDynamicsAX"));
        Assert.Equal("ALTER DATABASE [AX ]]R3] SET ALLOW_SNAPSHOT_ISOLATION ON", SqlServerSql.AllowSnapshotIsolation("AX ]R3"));
        Assert.Empty(TSqlChecker.Check(SqlServerSql.AllowSnapshotIsolation("AX ]R3")).ParseErrors);
        Assert.Empty(TSqlChecker.Check(SqlServerSql.AllowSnapshotIsolation("AX ]R3")).UnquotedIdentifiers);
    }

    [Fact]
    public void The_checker_itself_rejects_unquoted_names_literals_and_bad_syntax()
    {
        Assert.NotEmpty(TSqlChecker.Check("SELECT [a] FROM dbo.[T];").UnquotedIdentifiers);
        Assert.NotEmpty(TSqlChecker.Check("SELECT [t].[a] FROM [dbo].[T] AS t;").UnquotedIdentifiers);
        Assert.NotEmpty(TSqlChecker.Check("SELECT [a] FROM [dbo].[T] WHERE [a] = 'usrt';").ValueLiterals);
        Assert.NotEmpty(TSqlChecker.Check("SELECT [a] FROM [dbo].[T] WHERE [a] = 5637144576;").ValueLiterals);
        Assert.NotEmpty(TSqlChecker.Check("SELECT [a] FROM [dbo].[T] WHERE;").ParseErrors);
        Assert.Empty(TSqlChecker.Check("SELECT CONVERT(nvarchar(20), [a]) FROM [dbo].[T] WHERE [a] = 1;").ValueLiterals);
        // A date part is a keyword; the amount beside it is still a value.
        Assert.Empty(TSqlChecker.Check("SELECT DATEADD(MILLISECOND, @ttl, SYSUTCDATETIME());").ValueLiterals);
        Assert.NotEmpty(TSqlChecker.Check("SELECT DATEADD(MILLISECOND, 60000, SYSUTCDATETIME());").ValueLiterals);
    }

    [Fact]
    public void The_DDL_the_server_tests_run_is_valid_TSql()
    {
        // The end-to-end test creates the demo HQ and channel tables on SQL Server from the same DDL as SQLite.
        Assert.Empty(TSqlChecker.Check(SampleSchema.Ddl).ParseErrors);
        Assert.Empty(TSqlChecker.Check(SqlServerEndToEndTests.ChannelInventTable).ParseErrors);
        Assert.Empty(TSqlChecker.Check(new SqlServerFixture().CreateItemsTableSql).ParseErrors);
    }
}
