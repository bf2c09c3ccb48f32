using System.Net;
using Npgsql;

namespace AsyncServer.Service.Tests.Endpoint;

/// <summary>
/// A message database that stops taking connections while the endpoint runs: stores are told 503 with Retry-After, never a
/// bare 500, the answer names nothing of the database, and polls succeed again once it is back. The real service process
/// and a real PostgreSQL database whose connections are refused (ALLOW_CONNECTIONS false) and cut (pg_terminate_backend).
/// </summary>
[Collection(EndpointPostgresCollection.Name)]
public sealed class UnavailableDatabaseTests(EndpointPostgres postgres)
{
    [Fact]
    public async Task Polls_get_503_with_Retry_After_while_the_message_database_is_unreachable_and_200_once_it_is_back()
    {
        var connectionString = await postgres.Server.CreateDatabaseAsync("unavail");
        var database = new NpgsqlConnectionStringBuilder(connectionString).Database!;
        await using var setup = await EndpointSetup.CreateAsync("unavail", connectionString);
        using var houston = setup.Client("HOUSTON");
        Assert.Equal(HttpStatusCode.OK, (await houston.GetAsync("/api/v1/sessions")).StatusCode);

        await AdminAsync($"ALTER DATABASE \"{database}\" WITH ALLOW_CONNECTIONS false");
        await AdminAsync($"SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '{database}'");
        // Bounded: every answer while the database is away is a 503 (a pooled connection cut mid-use included).
        for (var i = 0; i < 5; i++)
        {
            using var response = await houston.GetAsync("/api/v1/sessions");
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"poll {i}: {(int)response.StatusCode} {body}");
            Assert.Equal(TimeSpan.FromSeconds(30), response.Headers.RetryAfter?.Delta);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains("Message database unavailable", body, StringComparison.Ordinal);
            Assert.DoesNotContain(database, body, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("127.0.0.1", body, StringComparison.Ordinal);
        }
        Assert.Contains(setup.Service.Lines, l => l.Contains("the message database is unavailable", StringComparison.Ordinal));

        await AdminAsync($"ALTER DATABASE \"{database}\" WITH ALLOW_CONNECTIONS true");
        Assert.Equal(HttpStatusCode.OK, (await houston.GetAsync("/api/v1/sessions")).StatusCode);
    }

    private async Task AdminAsync(string sql)
    {
        await using var conn = new NpgsqlConnection(postgres.Server.AdminConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteScalarAsync();
    }
}
