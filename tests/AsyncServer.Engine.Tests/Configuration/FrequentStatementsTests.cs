using AsyncServer.Data;
using AsyncServer.Providers;
using Npgsql;

namespace AsyncServer.Tests.Configuration;

/// <summary>The endpoint's message connection (IDatabaseProvider.ForFrequentStatements): what it adds, what it keeps.</summary>
public sealed class FrequentStatementsTests
{
    [Fact]
    public void PostgreSQL_connections_prepare_automatically_skip_the_pool_reset_and_pool_for_the_cores()
    {
        var tuned = Tuned(ResolvedConnection.FromString(DatabaseProvider.PostgreSql, "Host=127.0.0.1;Username=hq;Password=pw;Database=msg"));
        var builder = new NpgsqlConnectionStringBuilder(tuned.ConnectionString);
        Assert.Equal((32, true, "pw", "msg"), (builder.MaxAutoPrepare, builder.NoResetOnClose, builder.Password, builder.Database));
        Assert.Equal(Math.Max(16, 8 * Environment.ProcessorCount), builder.MaxPoolSize);
        Assert.DoesNotContain("pw", tuned.Display);
    }

    [Theory]
    [InlineData("Host=h;Max Auto Prepare=0;No Reset On Close=false;Maximum Pool Size=3")]
    [InlineData("Host=h;maxautoprepare=0;noresetonclose=false;maxpoolsize=3")]
    public void Settings_the_connection_string_names_are_kept(string text)
    {
        var builder = new NpgsqlConnectionStringBuilder(Tuned(ResolvedConnection.FromString(DatabaseProvider.PostgreSql, text)).ConnectionString);
        Assert.Equal((0, false, 3), (builder.MaxAutoPrepare, builder.NoResetOnClose, builder.MaxPoolSize));
    }

    [Fact]
    public void Other_providers_are_unchanged()
    {
        var sqlite = ResolvedConnection.FromString(DatabaseProvider.Sqlite, "Data Source=/tmp/m.db");
        Assert.Same(sqlite, Tuned(sqlite));
    }

    private static ResolvedConnection Tuned(ResolvedConnection connection) => DatabaseProviders.For(connection).ForFrequentStatements(connection);
}
