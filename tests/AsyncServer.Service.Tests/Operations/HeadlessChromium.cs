using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;

namespace AsyncServer.Service.Tests.Operations;

/// <summary>
/// Debian's chromium, headless, driven through Debian's chromium-driver (WebDriver). Both are installed by
/// <c>build.ps1 Test</c> when absent (apt-get, as root); a run without them fails here, naming the command that installs them.
/// No browser is downloaded: the driver and the browser are the system's.
/// </summary>
public static class HeadlessChromium
{
    public const string Browser = "/usr/bin/chromium";
    public const string Driver = "/usr/bin/chromedriver";

    public static ChromeDriver Start()
    {
        Assert.True(File.Exists(Browser) && File.Exists(Driver),
            $"The status page tests need {Browser} and {Driver}: run ./build.ps1 Test (which installs them as root), " +
            "or apt-get install chromium chromium-driver.");
        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(Driver)!, Path.GetFileName(Driver));
        service.HideCommandPromptWindow = true;
        service.SuppressInitialDiagnosticInformation = true;
        var options = new ChromeOptions { BinaryLocation = Browser };
        // --no-sandbox: CI runs the tests as root, where chromium's sandbox refuses to start.
        options.AddArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,1000",
            "--no-first-run", "--disable-extensions");
        options.SetLoggingPreference(LogType.Browser, LogLevel.All);
        return new ChromeDriver(service, options, TimeSpan.FromMinutes(2));
    }

    /// <summary>The browser console's errors (script errors, failed requests) since the last call.</summary>
    public static IReadOnlyList<string> Errors(IWebDriver driver)
        => driver.Manage().Logs.GetLog(LogType.Browser).Where(e => e.Level >= LogLevel.Severe).Select(e => e.Message).ToList();
}
