using AsyncServer.Tests.Contracts;
using AsyncServer.Tests.Support;

namespace AsyncServer.Tests.SqlServer;

// The provider contract suites, derived for SQL Server: one file per provider, all in Contracts/Providers. They run
// against a real SQL Server when ASYNCSERVER_TEST_SQLSERVER names one; otherwise every test is reported as skipped.

[RequiresEnvironment(SqlServerTestServer.Variable, SqlServerTestServer.SkipReason)]
public sealed class SqlServerChangeSourceContractTests(SqlServerFixture fixture) : ChangeSourceContract, IClassFixture<SqlServerFixture>
{
    protected override IProviderFixture Fixture { get; } = fixture;
}

[RequiresEnvironment(SqlServerTestServer.Variable, SqlServerTestServer.SkipReason)]
public sealed class SqlServerMessageStoreContractTests(SqlServerFixture fixture) : MessageStoreContract, IClassFixture<SqlServerFixture>
{
    protected override IProviderFixture Fixture { get; } = fixture;
}

[RequiresEnvironment(SqlServerTestServer.Variable, SqlServerTestServer.SkipReason)]
public sealed class SqlServerChannelTargetContractTests(SqlServerFixture fixture) : ChannelTargetContract, IClassFixture<SqlServerFixture>
{
    protected override IProviderFixture Fixture { get; } = fixture;
    protected override string DateTimeType => "DATETIME2";
    protected override string GuidType => "UNIQUEIDENTIFIER";
    protected override string BinaryType => "VARBINARY(100)";
}
