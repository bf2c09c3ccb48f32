using AsyncServer.Distribution;
using AsyncServer.Messaging;
using AsyncServer.Tests.Support;

namespace AsyncServer.Tests.Browsing;

/// <summary>
/// Get-AsyncSession writes what <see cref="SessionBrowser.StreamAsync"/> yields (issue 12, point 10): the same rows as the
/// list query, read from the store a page at a time as the caller asks for them, not loaded whole.
/// </summary>
public sealed class SessionBrowserStreamTests
{
    [Fact]
    public async Task Streamed_rows_are_the_queried_rows_and_pages_are_read_as_they_are_asked_for()
    {
        await using var ws = await Workspace.CreateAsync();
        await ws.RunJobsAsync("1040", "1070");
        await ws.RunAsync(new DistributionRequest { Jobs = ["1040"], FullSync = true });
        var browser = new SessionBrowser(ws.Context());

        foreach (var query in new[]
        {
            new SessionQuery(), new SessionQuery { NewestFirst = true, Limit = 2 }, new SessionQuery { DataGroups = ["USRT-Stores"] },
            new SessionQuery { ChannelDatabases = ["HOUSTON"], IncludeNoData = true },
        })
        {
            var listed = await browser.GetAsync(query, default);
            var streamed = new List<DownloadSession>();
            await foreach (var row in browser.StreamAsync(query, default, pageSize: 1)) streamed.Add(row);
            Assert.NotEmpty(listed);
            Assert.Equal(listed.Select(r => (r.Id, r.ChannelDatabase, r.Status)), streamed.Select(r => (r.Id, r.ChannelDatabase, r.Status)));
        }

        // A session recorded after the first page was read still shows: the rest had not been loaded yet.
        var before = (await browser.GetAsync(new SessionQuery(), default)).Select(r => r.Id).Distinct().Count();
        var seen = new HashSet<long>();
        await foreach (var row in browser.StreamAsync(new SessionQuery(), default, pageSize: 1))
        {
            if (seen.Count == 0) await ws.RunAsync(new DistributionRequest { Jobs = ["1070"], FullSync = true });
            seen.Add(row.Id);
        }
        Assert.True(seen.Count > before, $"streamed {seen.Count} session(s), {before} existed before the stream began");
    }
}
