namespace AsyncServer.Tests.Contracts;

// The provider contract suites, derived for PostgreSQL (the throwaway server of the "PostgreSQL" collection): one file per provider, all in Contracts/Providers.

[Collection(PostgresCollection.Name)]
public sealed class PostgresChangeSourceContractTests(PostgresFixture fixture) : ChangeSourceContract
{
    protected override IProviderFixture Fixture { get; } = fixture;
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresMessageStoreContractTests(PostgresFixture fixture) : MessageStoreContract
{
    protected override IProviderFixture Fixture { get; } = fixture;
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresChannelTargetContractTests(PostgresFixture fixture) : ChannelTargetContract
{
    protected override IProviderFixture Fixture { get; } = fixture;
    protected override string GuidType => "UUID";
    protected override string BinaryType => "BYTEA";
}
