using System.Runtime.InteropServices;

namespace AutomationStack.Visualizer.Native;

/// <summary>
/// A window with an OpenGL 3.3 core context through Debian's libglfw.so.3 (about ten functions). Keys are polled
/// (<see cref="IsKeyDown"/>); the viewer detects presses by edges.
/// </summary>
internal sealed partial class GlfwWindow : IDisposable
{
    private const string Library = "libglfw.so.3";
    private const int ContextVersionMajor = 0x00022002;
    private const int ContextVersionMinor = 0x00022003;
    private const int OpenGlForwardCompat = 0x00022006;
    private const int OpenGlProfile = 0x00022008;
    private const int OpenGlCoreProfile = 0x00032001;
    private const int Resizable = 0x00020003;
    private const int Press = 1;

    private nint _window;

    private GlfwWindow(nint window)
    {
        _window = window;
    }

    /// <summary>Opens the window and makes its context current.</summary>
    /// <exception cref="GlUnavailableException">libglfw missing, no display, or no GL 3.3 core.</exception>
    public static GlfwWindow Create(int width, int height, string title)
    {
        try
        {
            if (Init() == 0)
            {
                throw new GlUnavailableException($"glfwInit failed: {LastError()} (is DISPLAY set? run under xvfb-run for no screen)");
            }
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            throw new GlUnavailableException($"a window needs {Library} (Debian: libglfw3): {ex.Message}", ex);
        }

        WindowHint(ContextVersionMajor, 3);
        WindowHint(ContextVersionMinor, 3);
        WindowHint(OpenGlProfile, OpenGlCoreProfile);
        WindowHint(OpenGlForwardCompat, 1);
        WindowHint(Resizable, 0);
        var window = CreateWindow(width, height, title, 0, 0);
        if (window == 0)
        {
            var error = LastError();
            Terminate();
            throw new GlUnavailableException($"glfwCreateWindow({width}×{height}, OpenGL 3.3 core) failed: {error}");
        }

        MakeContextCurrent(window);
        SwapInterval(1);
        return new GlfwWindow(window);
    }

    public bool ShouldClose => WindowShouldClose(_window) != 0;

    public (int Width, int Height) FramebufferSize
    {
        get
        {
            GetFramebufferSize(_window, out var w, out var h);
            return (w, h);
        }
    }

    public static nint GetProcAddress(string name) => GetProcAddressNative(name);

    public bool IsKeyDown(int key) => GetKey(_window, key) == Press;

    /// <summary>Whether the left mouse button is down.</summary>
    public bool IsLeftButtonDown => GetMouseButton(_window, 0) == Press;

    /// <summary>The cursor in window pixels from the top-left corner.</summary>
    public (double X, double Y) CursorPosition
    {
        get
        {
            GetCursorPos(_window, out var x, out var y);
            return (x, y);
        }
    }

    public void SwapBuffers() => SwapBuffersNative(_window);

    public static void PollEvents() => PollEventsNative();

    public void Dispose()
    {
        if (_window == 0)
        {
            return;
        }

        DestroyWindow(_window);
        _window = 0;
        Terminate();
    }

    private static unsafe string LastError()
    {
        byte* description = null;
        var code = GetError(&description);
        var text = description is null ? "no description" : Marshal.PtrToStringUTF8((nint)description) ?? string.Empty;
        return $"GLFW error 0x{code:X5}: {text}";
    }

    [LibraryImport(Library, EntryPoint = "glfwInit")]
    private static partial int Init();

    [LibraryImport(Library, EntryPoint = "glfwTerminate")]
    private static partial void Terminate();

    [LibraryImport(Library, EntryPoint = "glfwWindowHint")]
    private static partial void WindowHint(int hint, int value);

    [LibraryImport(Library, EntryPoint = "glfwCreateWindow", StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint CreateWindow(int width, int height, string title, nint monitor, nint share);

    [LibraryImport(Library, EntryPoint = "glfwDestroyWindow")]
    private static partial void DestroyWindow(nint window);

    [LibraryImport(Library, EntryPoint = "glfwMakeContextCurrent")]
    private static partial void MakeContextCurrent(nint window);

    [LibraryImport(Library, EntryPoint = "glfwGetProcAddress", StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint GetProcAddressNative(string name);

    [LibraryImport(Library, EntryPoint = "glfwSwapInterval")]
    private static partial void SwapInterval(int interval);

    [LibraryImport(Library, EntryPoint = "glfwSwapBuffers")]
    private static partial void SwapBuffersNative(nint window);

    [LibraryImport(Library, EntryPoint = "glfwPollEvents")]
    private static partial void PollEventsNative();

    [LibraryImport(Library, EntryPoint = "glfwWindowShouldClose")]
    private static partial int WindowShouldClose(nint window);

    [LibraryImport(Library, EntryPoint = "glfwGetKey")]
    private static partial int GetKey(nint window, int key);

    [LibraryImport(Library, EntryPoint = "glfwGetMouseButton")]
    private static partial int GetMouseButton(nint window, int button);

    [LibraryImport(Library, EntryPoint = "glfwGetCursorPos")]
    private static partial void GetCursorPos(nint window, out double x, out double y);

    [LibraryImport(Library, EntryPoint = "glfwGetFramebufferSize")]
    private static partial void GetFramebufferSize(nint window, out int width, out int height);

    [LibraryImport(Library, EntryPoint = "glfwGetError")]
    private static unsafe partial int GetError(byte** description);
}
