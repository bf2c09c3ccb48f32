using AsyncServer.Endpoint;
using AsyncServer.Messaging;
using AsyncServer.Tests.SqlServer;

namespace AsyncServer.Tests.Endpoint;

/// <summary>
/// The endpoint store's SQL Server texts, parsed with ScriptDom like the provider's own (no server needed), and the
/// parameters each binds are the ones EndpointStore passes. The SQLite and PostgreSQL texts run for real in the
/// service's endpoint tests.
/// </summary>
public sealed class EndpointSqlTests
{
    private static readonly EndpointSql S = EndpointSql.SqlServer;

    public static TheoryData<string, string, string[]> Statements => new()
    {
        { nameof(S.UnrevokedCredentials), S.UnrevokedCredentials, ["@db"] },
        { nameof(S.ContactAt), S.ContactAt, ["@db"] },
        // @Resource is sp_getapplock's argument name (the checker lists it with the bound values @lock, @lockMode, ...).
        { nameof(S.LockCredentials), S.LockCredentials, ["@lock", "@lockMode", "@lockOwner", "@lockTimeout", "@Resource"] },
        { nameof(S.CountActiveCredentials), S.CountActiveCredentials, ["@db", "@now"] },
        { nameof(S.InsertCredential), S.InsertCredential, ["@db", "@salt", "@hash", "@now", "@expires"] },
        { nameof(S.TouchCredential), S.TouchCredential, ["@now", "@id"] },
        { nameof(S.RecordContact), S.RecordContact, ["@db", "@now", "@version", "@address", "@id"] },
        { nameof(S.ListCredentials), S.ListCredentials, [] },
        { nameof(S.ListCredentialsOf), S.ListCredentialsOf, ["@db"] },
        { nameof(S.RevokeAll), S.RevokeAll, ["@now", "@db"] },
        { nameof(S.RevokeOne), S.RevokeOne, ["@now", "@db", "@id"] },
        { nameof(S.LockTarget), S.LockTarget, ["@s", "@db"] },
        { nameof(S.LiveLeaseOwner), S.LiveLeaseOwner, ["@r"] }, // the server's clock, never the instance's (issue 12, point 9)
        { nameof(S.UpdateTarget), S.UpdateTarget, ["@to", "@inc", "@now", "@m", "@s", "@db"] },
        { nameof(S.InsertStatusMessage), S.InsertStatusMessage, ["@s", "@db", "@to", "@m", "@now"] },
        { nameof(S.LogSuspendLater), S.LogSuspendLater, ["@susp", "@m", "@now", "@db", "@s", "@p0", "@p1", "@p2"] },
        { nameof(S.SuspendLater), S.SuspendLater, ["@susp", "@m", "@now", "@db", "@s", "@p0", "@p1", "@p2"] },
    };

    [Theory]
    [MemberData(nameof(Statements))]
    public void Each_statement_parses_quotes_every_name_and_binds_only_parameters(string name, string sql, string[] parameters)
    {
        SqlServerSqlTests.AssertClean(sql);
        Assert.True(parameters.Order(StringComparer.OrdinalIgnoreCase).SequenceEqual(TSqlChecker.Check(sql).Parameters.Order(StringComparer.OrdinalIgnoreCase), StringComparer.OrdinalIgnoreCase),
            $"{name} binds {string.Join(", ", TSqlChecker.Check(sql).Parameters.Order())}, the store passes {string.Join(", ", parameters)}");
    }

    [Fact]
    public void The_migration_parses_and_is_the_last_of_every_provider()
    {
        var migration = Providers.SqlServer.SqlServerMessageStoreSql.Instance.Migrations[2];
        SqlServerSqlTests.AssertClean(migration);
        Assert.Equal(3, MessageSchema.CurrentVersion);
        Assert.Contains("[channel_credentials]", migration, StringComparison.Ordinal);
        Assert.Contains("channel_credentials", Providers.PostgreSql.PostgresMessageSchema.Migrations[2], StringComparison.Ordinal);
        Assert.Contains("SYSUTCDATETIME()", S.LiveLeaseOwner, StringComparison.Ordinal);
    }
}

/// <summary>The report state machine and the secrets, as pure functions.</summary>
public sealed class EndpointRulesTests
{
    [Theory]
    [InlineData(SessionStatus.Available, ReportStage.Requested, TargetStateMachine.Decision.Move)]
    [InlineData(SessionStatus.Suspended, ReportStage.Requested, TargetStateMachine.Decision.Move)]
    [InlineData(SessionStatus.DownloadFailed, ReportStage.Requested, TargetStateMachine.Decision.Move)]
    [InlineData(SessionStatus.Requested, ReportStage.Downloaded, TargetStateMachine.Decision.Move)]
    [InlineData(SessionStatus.Downloaded, ReportStage.Applied, TargetStateMachine.Decision.Move)]
    [InlineData(SessionStatus.Downloaded, ReportStage.ApplyFailed, TargetStateMachine.Decision.Move)]
    [InlineData(SessionStatus.Requested, ReportStage.DownloadFailed, TargetStateMachine.Decision.Move)]
    [InlineData(SessionStatus.Applied, ReportStage.Applied, TargetStateMachine.Decision.AlreadyThere)]
    [InlineData(SessionStatus.Downloaded, ReportStage.Downloaded, TargetStateMachine.Decision.AlreadyThere)]
    [InlineData(SessionStatus.ApplyFailed, ReportStage.ApplyFailed, TargetStateMachine.Decision.AlreadyThere)]
    [InlineData(SessionStatus.Available, ReportStage.Applied, TargetStateMachine.Decision.Refuse)]
    [InlineData(SessionStatus.Requested, ReportStage.Applied, TargetStateMachine.Decision.Refuse)]
    [InlineData(SessionStatus.Applied, ReportStage.Requested, TargetStateMachine.Decision.Refuse)]
    [InlineData(SessionStatus.Canceled, ReportStage.Requested, TargetStateMachine.Decision.Refuse)]
    [InlineData(SessionStatus.Canceled, ReportStage.Applied, TargetStateMachine.Decision.Refuse)]
    [InlineData(SessionStatus.Available, ReportStage.ApplyFailed, TargetStateMachine.Decision.Refuse)]
    public void Reports_move_refuse_or_change_nothing(SessionStatus current, ReportStage stage, TargetStateMachine.Decision expected)
        => Assert.Equal(expected, TargetStateMachine.Decide(current, stage, givenUp: false));

    [Fact]
    public void A_target_that_used_up_its_tries_is_not_requested_again()
        => Assert.Equal(TargetStateMachine.Decision.Refuse, TargetStateMachine.Decide(SessionStatus.ApplyFailed, ReportStage.Requested, givenUp: true));

    [Fact]
    public void Secrets_are_long_random_and_verified_only_by_their_salted_hash()
    {
        var a = ChannelSecrets.NewSecret();
        var b = ChannelSecrets.NewSecret();
        Assert.NotEqual(a, b);
        Assert.StartsWith(ChannelSecrets.Prefix, a);
        Assert.True(a.Length - ChannelSecrets.Prefix.Length >= 43); // 256 bits in base64url
        var salt = ChannelSecrets.NewSalt();
        var hash = ChannelSecrets.Hash(salt, a);
        Assert.DoesNotContain(a, hash);
        Assert.NotEqual(hash, ChannelSecrets.Hash(ChannelSecrets.NewSalt(), a));
        Assert.True(ChannelSecrets.Matches(salt, hash, a));
        Assert.False(ChannelSecrets.Matches(salt, hash, b));
        Assert.False(ChannelSecrets.Matches(salt, hash, a[..^1]));
        Assert.False(ChannelSecrets.Matches(salt, hash, ""));
    }
}
