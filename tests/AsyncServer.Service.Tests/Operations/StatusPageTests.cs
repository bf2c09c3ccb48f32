using OpenQA.Selenium;
using OpenQA.Selenium.Support.UI;
using AsyncServer.Tests.Support;

namespace AsyncServer.Service.Tests.Operations;

/// <summary>
/// Issue 16, point 4: the status page of the real service, in a real headless chromium: it loads without script errors,
/// shows every state, its filters and sorting work, a store's row links to the store's sessions, and it shows no secret.
/// </summary>
public sealed class StatusPageTests(PostgresServer server) : IClassFixture<PostgresServer>
{
    private static void WaitLoaded(IWebDriver driver)
        => new WebDriverWait(driver, TimeSpan.FromMinutes(1)).Until(d => d.FindElement(By.TagName("body")).GetAttribute("data-loaded") == "true");

    /// <summary>Picks an option of a select the way a user does (a click on the option fires its change event).</summary>
    private static void Choose(IWebDriver driver, string select, string value)
        => driver.FindElement(By.CssSelector($"#{select} option[value='{value}']")).Click();

    private static List<(string Store, string State)> Rows(IWebDriver driver) => driver.FindElements(By.CssSelector("#stores tbody tr"))
        .Select(r => (r.GetAttribute("data-store")!, r.GetAttribute("data-state")!)).ToList();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_page_shows_each_state_filters_sorts_and_links_to_a_stores_sessions(bool postgres)
    {
        await using var setup = await OperationsSetup.CreateAsync("status", postgres ? await server.CreateDatabaseAsync("status") : null);
        using var driver = HeadlessChromium.Start();
        driver.Navigate().GoToUrl(new Uri(setup.BaseAddress, "/status"));
        WaitLoaded(driver);
        Assert.Empty(HeadlessChromium.Errors(driver));

        // Sorted by state, worst first.
        Assert.Equal([("BLOCKED", "Blocked"), ("SILENT", "Silent"), ("BEHIND", "Behind"), ("NEVER", "NeverConnected"), ("APPLIED", "Healthy")], Rows(driver));
        Assert.Contains("Table INVENTTABLE is missing.", driver.FindElement(By.CssSelector("#stores tbody tr[data-store=BLOCKED]")).Text);
        Assert.Equal(["Products", "Nightly"], driver.FindElements(By.CssSelector("#schedules tbody tr td:first-child")).Select(e => e.Text));
        Assert.Contains(driver.FindElements(By.CssSelector("#failures tbody tr")), r => r.Text.Contains("BLOCKED") && r.Text.Contains("ApplyFailed"));

        Choose(driver, "state-filter", "Silent");
        Assert.Equal([("SILENT", "Silent")], Rows(driver));
        Choose(driver, "state-filter", "");
        Choose(driver, "group-filter", "G1");
        Assert.Equal(["BEHIND", "NEVER", "APPLIED"], Rows(driver).Select(r => r.Store));
        Choose(driver, "group-filter", "");
        driver.FindElement(By.CssSelector("#stores th[data-key=channelDatabase]")).Click();
        Assert.Equal(["APPLIED", "BEHIND", "BLOCKED", "NEVER", "SILENT"], Rows(driver).Select(r => r.Store));
        driver.FindElement(By.CssSelector("#stores th[data-key=channelDatabase]")).Click();
        Assert.Equal(["SILENT", "NEVER", "BLOCKED", "BEHIND", "APPLIED"], Rows(driver).Select(r => r.Store));

        driver.FindElement(By.LinkText("BLOCKED")).Click();
        new WebDriverWait(driver, TimeSpan.FromMinutes(1)).Until(d => d.FindElement(By.Id("store-name")).Text == "BLOCKED");
        WaitLoaded(driver);
        var sessions = driver.FindElements(By.CssSelector("#sessions tbody tr")).Select(r => r.FindElement(By.CssSelector("td")).Text).ToList();
        Assert.Equal(setup.Sessions["BLOCKED"].Reverse().Select(id => id.ToString(System.Globalization.CultureInfo.InvariantCulture)), sessions);
        Assert.Empty(HeadlessChromium.Errors(driver));
        Assert.DoesNotContain("Data Source", driver.PageSource, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Host=", driver.PageSource, StringComparison.OrdinalIgnoreCase);
        Screenshot(driver, setup, postgres);
    }

    /// <summary>ASYNCSERVER_STATUS_SCREENSHOT=path saves the overview (docs/operations.png is made this way).</summary>
    private static void Screenshot(IWebDriver driver, OperationsSetup setup, bool postgres)
    {
        if (Environment.GetEnvironmentVariable("ASYNCSERVER_STATUS_SCREENSHOT") is not { Length: > 0 } path || postgres) return;
        driver.Navigate().GoToUrl(new Uri(setup.BaseAddress, "/status"));
        WaitLoaded(driver);
        ((ITakesScreenshot)driver).GetScreenshot().SaveAsFile(path);
    }
}
