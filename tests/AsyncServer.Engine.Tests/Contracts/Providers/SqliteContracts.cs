namespace AsyncServer.Tests.Contracts;

// The provider contract suites, derived for SQLite (files in a temp folder): one file per provider, all in Contracts/Providers.

public sealed class SqliteChangeSourceContractTests : ChangeSourceContract, IClassFixture<SqliteFixture>
{
    public SqliteChangeSourceContractTests(SqliteFixture fixture) => Fixture = fixture;
    protected override IProviderFixture Fixture { get; }
}

public sealed class SqliteMessageStoreContractTests : MessageStoreContract, IClassFixture<SqliteFixture>
{
    public SqliteMessageStoreContractTests(SqliteFixture fixture) => Fixture = fixture;
    protected override IProviderFixture Fixture { get; }
}

public sealed class SqliteChannelTargetContractTests : ChannelTargetContract, IClassFixture<SqliteFixture>
{
    public SqliteChannelTargetContractTests(SqliteFixture fixture) => Fixture = fixture;
    protected override IProviderFixture Fixture { get; }
    protected override string DateTimeType => "DATETIME";
    protected override string GuidType => "UNIQUEIDENTIFIER";
}
