using AutomationStack.Visualizer.Model;
using Silk.NET.OpenGL;

namespace AutomationStack.Visualizer.Gl;

/// <summary>A vertex array object and its buffer in the <see cref="VertexList"/> layout (position vec3, colour vec4).</summary>
internal sealed class VertexBuffer : IDisposable
{
    private readonly GL _gl;
    private uint _vao;
    private uint _vbo;
    private int _capacityBytes;

    public unsafe VertexBuffer(GL gl)
    {
        ArgumentNullException.ThrowIfNull(gl);
        _gl = gl;
        _vao = gl.GenVertexArray();
        _vbo = gl.GenBuffer();
        gl.BindVertexArray(_vao);
        gl.BindBuffer(BufferTargetARB.ArrayBuffer, _vbo);
        const uint stride = VertexList.FloatsPerVertex * sizeof(float);
        gl.VertexAttribPointer(0, 3, VertexAttribPointerType.Float, false, stride, (void*)0);
        gl.EnableVertexAttribArray(0);
        gl.VertexAttribPointer(1, 4, VertexAttribPointerType.Float, false, stride, (void*)(3 * sizeof(float)));
        gl.EnableVertexAttribArray(1);
        gl.BindVertexArray(0);
    }

    public int Count { get; private set; }

    /// <summary>Replaces the contents (the storage grows, and is reused while big enough).</summary>
    public unsafe void Upload(VertexList vertices, BufferUsageARB usage = BufferUsageARB.StreamDraw)
    {
        ArgumentNullException.ThrowIfNull(vertices);
        var data = vertices.Data;
        var bytes = data.Length * sizeof(float);
        _gl.BindBuffer(BufferTargetARB.ArrayBuffer, _vbo);
        if (bytes > _capacityBytes)
        {
            _capacityBytes = Math.Max(bytes, _capacityBytes * 2);
            _gl.BufferData(BufferTargetARB.ArrayBuffer, (nuint)_capacityBytes, null, usage);
        }

        if (bytes > 0)
        {
            fixed (float* p = data)
            {
                _gl.BufferSubData(BufferTargetARB.ArrayBuffer, 0, (nuint)bytes, p);
            }
        }

        Count = vertices.Count;
    }

    public void Draw(PrimitiveType primitive)
    {
        if (Count == 0)
        {
            return;
        }

        _gl.BindVertexArray(_vao);
        _gl.DrawArrays(primitive, 0, (uint)Count);
    }

    public void Dispose()
    {
        if (_vbo != 0)
        {
            _gl.DeleteBuffer(_vbo);
            _vbo = 0;
        }

        if (_vao != 0)
        {
            _gl.DeleteVertexArray(_vao);
            _vao = 0;
        }
    }
}
