#include "kube/exec_stream.hpp"

#include "kube/stream_tls.hpp"

// <utility> before Asio: Boost 1.74's awaitable.hpp uses std::exchange unincluded.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <fmt/format.h>

#include <chrono>
#include <csignal>
#include <deque>
#include <exception>
#include <semaphore>
#include <thread>
#include <type_traits>
#include <utility>

namespace kpg::kube {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using boost::system::error_code;
using namespace std::chrono_literals;

namespace {

constexpr std::size_t k_chunk_bytes = std::size_t{ 64 } * 1024;
constexpr std::ptrdiff_t k_stdin_chunks_in_flight = 2;
constexpr auto k_connect_timeout = 30s;       // client-go's dial timeout
constexpr auto k_tls_handshake_timeout = 10s; // client-go's TLSHandshakeTimeout
constexpr auto k_upgrade_timeout = 30s;
constexpr auto k_ping_interval = 5s; // client-go tools/remotecommand/websocket.go pingPeriod

using PlainSocket = beast::tcp_stream;
using TlsSocket = beast::ssl_stream<beast::tcp_stream>;

// Everything a session needs besides its socket.
struct SessionSetup
{
  const RestConfig& config;
  const ExecRequest& request;
  const ServerEndpoint& endpoint;
  std::string target;
  SecretString authorization; // the Authorization header value, or empty
  ExecStreams& streams;
  TtyMode tty;
};

ExecError refused_error(const websocket::response_type& response, const std::string& host_port)
{
  const auto status = parse_api_status(response.body());
  if (status && status->status == "Failure" && !status->message.empty()) {
    return { ExecFailure::refused, ApiError(*status).text(), *status };
  }
  std::string body = response.body().substr(0, 200);
  while (!body.empty() && (body.back() == '\n' || body.back() == '\r')) {
    body.pop_back();
  }
  return { ExecFailure::refused, fmt::format("{} refused the exec WebSocket upgrade: HTTP {} {:?}",
                                             host_port, response.result_int(), body) };
}

// One exec over one connection. Runs on a single io_context thread, except for
// the stdin pump, which reads ExecInput on its own thread and posts chunks back.
template<typename Socket>
class ExecSession
{
public:
  static constexpr bool k_tls = std::is_same_v<Socket, TlsSocket>;

  template<typename... SocketArgs>
  ExecSession(net::io_context& io, SessionSetup setup, SocketArgs&&... socket_args)
    : m_io(io)
    , m_setup(std::move(setup))
    , m_host_port(fmt::format("{}:{}", m_setup.endpoint.host, m_setup.endpoint.port))
    , m_ws(io, std::forward<SocketArgs>(socket_args)...)
    , m_wake_writer(io)
    , m_ping_timer(io)
    , m_winch(io)
  {
  }

  ExecSession(const ExecSession&) = delete;
  ExecSession& operator=(const ExecSession&) = delete;

  ~ExecSession()
  {
    stop_stdin_pump();
  }

  net::awaitable<ExecResult> run()
  {
    try {
      co_await connect();
      const ChannelProtocol protocol = co_await upgrade();
      start_streaming(protocol);
      co_await read_until_closed();
      finish();
      co_return ExecResult{ exit_code(), protocol };
    } catch (...) {
      finish();
      throw;
    }
  }

  // On the io thread: drop the connection; run() throws ExecFailure::cancelled.
  void cancel()
  {
    m_cancelled = true;
    beast::get_lowest_layer(m_ws).close();
  }

private:
  void throw_if_cancelled() const
  {
    if (m_cancelled) {
      throw ExecError(ExecFailure::cancelled,
                      fmt::format("exec in pod {}/{} was cancelled", m_setup.request.namespace_name,
                                  m_setup.request.pod));
    }
  }

  net::awaitable<void> connect()
  {
    auto& socket = beast::get_lowest_layer(m_ws);
    const auto& endpoint = m_setup.endpoint;
    error_code error;
    tcp::resolver resolver(m_io);
    socket.expires_after(k_connect_timeout);
    const auto addresses = co_await resolver.async_resolve(
      endpoint.host, endpoint.port, net::redirect_error(net::use_awaitable, error));
    throw_if_cancelled();
    if (error) {
      throw ExecError(ExecFailure::transport, fmt::format("resolving the API server host {:?}: {}",
                                                          endpoint.host, error.message()));
    }
    co_await socket.async_connect(addresses, net::redirect_error(net::use_awaitable, error));
    throw_if_cancelled();
    if (error) {
      throw ExecError(ExecFailure::transport, fmt::format("connecting to the API server {}: {}",
                                                          m_host_port, error.message()));
    }
    socket.socket().set_option(tcp::no_delay(true));
    socket.socket().set_option(net::socket_base::keep_alive(true));
    if constexpr (k_tls) {
      const std::string name = tls_verified_name(m_setup.config, endpoint.host);
      configure_tls_connection(m_ws.next_layer().native_handle(), name);
      socket.expires_after(k_tls_handshake_timeout);
      co_await m_ws.next_layer().async_handshake(net::ssl::stream_base::client,
                                                 net::redirect_error(net::use_awaitable, error));
      throw_if_cancelled();
      if (error) {
        throw ExecError(ExecFailure::transport,
                        explain_tls_failure(m_ws.next_layer().native_handle(), error,
                                            m_setup.config, m_host_port, name));
      }
    }
  }

  net::awaitable<ChannelProtocol> upgrade()
  {
    // The socket's own timer bounds the upgrade; Beast's websocket timer stays off
    // (its pending wait would outlive a refused upgrade and hold io_context::run).
    m_ws.set_option(websocket::stream_base::timeout{ websocket::stream_base::none(),
                                                     websocket::stream_base::none(), false });
    beast::get_lowest_layer(m_ws).expires_after(k_upgrade_timeout);
    m_ws.set_option(websocket::stream_base::decorator([this](websocket::request_type& request) {
      request.set(
        http::field::sec_websocket_protocol,
        beast::string_view(k_offered_channel_protocols.data(), k_offered_channel_protocols.size()));
      request.set(http::field::user_agent, "kubectl-pg/" KUBECTL_PG_VERSION);
      if (!m_setup.authorization.empty()) {
        request.set(http::field::authorization, m_setup.authorization.reveal());
      }
      for (const auto& [name, value] : impersonation_headers(m_setup.config.impersonation)) {
        request.insert(name, value); // insert, not set: Impersonate-Group repeats
      }
    }));
    m_ws.binary(true);
    m_ws.auto_fragment(false);
    m_ws.write_buffer_bytes(k_chunk_bytes);
    websocket::response_type response;
    error_code error;
    co_await m_ws.async_handshake(response, m_setup.endpoint.host_header, m_setup.target,
                                  net::redirect_error(net::use_awaitable, error));
    beast::get_lowest_layer(m_ws).expires_never();
    throw_if_cancelled();
    if (error == websocket::error::upgrade_declined) {
      throw refused_error(response, m_host_port);
    }
    if (error) {
      throw ExecError(ExecFailure::transport,
                      fmt::format("upgrading the exec request to {} to a WebSocket: {}",
                                  m_host_port, error.message()));
    }
    const auto chosen = response[http::field::sec_websocket_protocol];
    const auto protocol = parse_channel_protocol(std::string_view(chosen.data(), chosen.size()));
    if (!protocol) {
      throw ExecError(ExecFailure::protocol,
                      fmt::format("{} chose the WebSocket subprotocol {:?}; kubectl-pg offered {}",
                                  m_host_port, std::string_view(chosen.data(), chosen.size()),
                                  k_offered_channel_protocols));
    }
    co_return *protocol;
  }

  void start_streaming(ChannelProtocol protocol)
  {
    m_protocol = protocol;
    net::co_spawn(m_io, write_loop(), net::detached);
    net::co_spawn(m_io, ping_loop(), net::detached);
    if (m_setup.tty == TtyMode::enabled && m_setup.streams.terminal_size) {
      send_terminal_size();
      m_winch.add(SIGWINCH);
      net::co_spawn(m_io, resize_loop(), net::detached);
    }
    if (m_setup.streams.input != nullptr) {
      m_stdin_pump = std::jthread([this](const std::stop_token& stop) { pump_stdin(stop); });
    }
  }

  net::awaitable<void> read_until_closed()
  {
    beast::flat_buffer buffer;
    for (;;) {
      error_code error;
      co_await m_ws.async_read(buffer, net::redirect_error(net::use_awaitable, error));
      if (m_failure) {
        std::rethrow_exception(m_failure);
      }
      throw_if_cancelled();
      if (error == websocket::error::closed || (error && m_status_received)) {
        co_return; // the server ends every command with a status message, then closes
      }
      if (error) {
        throw ExecError(ExecFailure::transport,
                        fmt::format("the connection to {} was lost before the command's exit "
                                    "status arrived: {}",
                                    m_host_port, error.message()));
      }
      const auto data = buffer.cdata();
      dispatch(std::string_view(static_cast<const char*>(data.data()), data.size()));
      buffer.consume(buffer.size());
    }
  }

  void dispatch(std::string_view message)
  {
    const auto frame = decode_frame(message);
    if (!frame) {
      throw ExecError(ExecFailure::protocol,
                      fmt::format("exec stream from {}: {}", m_host_port, frame.error()));
    }
    const auto payload = std::span<const char>(frame->payload.data(), frame->payload.size());
    if (payload.empty()) {
      return; // readiness signal after the upgrade
    }
    switch (frame->channel) {
      case Channel::std_out:
        if (m_setup.streams.output != nullptr) {
          m_setup.streams.output->write(payload);
        }
        break;
      case Channel::std_err:
        if (m_setup.streams.error_output != nullptr) {
          m_setup.streams.error_output->write(payload);
        }
        break;
      case Channel::status:
        m_status_json.append(frame->payload);
        m_status_received = true;
        break;
      default:
        break; // channels that were not requested are discarded
    }
  }

  int exit_code() const
  {
    if (!m_status_received) {
      throw ExecError(
        ExecFailure::protocol,
        fmt::format("{} closed the exec stream without the command's exit status", m_host_port));
    }
    const auto status = parse_api_status(m_status_json);
    if (!status) {
      throw ExecError(ExecFailure::protocol,
                      fmt::format("status channel from {}: {}", m_host_port, status.error()));
    }
    const auto code = exit_code_from_status(*status);
    if (!code) {
      throw ExecError(ExecFailure::remote, code.error(), *status);
    }
    return *code;
  }

  // Writes queued frames one at a time (Beast allows one write in flight).
  net::awaitable<void> write_loop()
  {
    while (!m_finished) {
      if (m_outbox.empty()) {
        m_wake_writer.expires_at(net::steady_timer::time_point::max());
        error_code ignored;
        co_await m_wake_writer.async_wait(net::redirect_error(net::use_awaitable, ignored));
        continue;
      }
      Outgoing next = std::move(m_outbox.front());
      m_outbox.pop_front();
      error_code error;
      co_await m_ws.async_write(net::buffer(next.frame),
                                net::redirect_error(net::use_awaitable, error));
      if (error) {
        co_return; // the reader reports why the connection ended
      }
      if (next.source == Source::std_in) {
        m_stdin_slots.release();
      }
    }
  }

  net::awaitable<void> ping_loop()
  {
    while (!m_finished) {
      m_ping_timer.expires_after(k_ping_interval);
      error_code error;
      co_await m_ping_timer.async_wait(net::redirect_error(net::use_awaitable, error));
      if (m_finished) {
        co_return;
      }
      co_await m_ws.async_ping({}, net::redirect_error(net::use_awaitable, error));
      if (error) {
        co_return;
      }
    }
  }

  net::awaitable<void> resize_loop()
  {
    while (!m_finished) {
      error_code error;
      co_await m_winch.async_wait(net::redirect_error(net::use_awaitable, error));
      if (error || m_finished) {
        co_return;
      }
      send_terminal_size();
    }
  }

  void send_terminal_size()
  {
    const auto size = m_setup.streams.terminal_size();
    if (size && size != m_last_size) {
      m_last_size = size;
      enqueue(encode_resize(*size), Source::control);
    }
  }

  enum class Source
  {
    std_in,
    control
  };
  struct Outgoing
  {
    std::string frame;
    Source source;
  };

  void enqueue(std::string frame, Source source)
  {
    if (m_finished) {
      return;
    }
    m_outbox.push_back({ std::move(frame), source });
    m_wake_writer.cancel();
  }

  // On the stdin thread: read chunks (at most k_stdin_chunks_in_flight unsent) and
  // post them to the io thread; at EOF post the half-close.
  void pump_stdin(const std::stop_token& stop)
  {
    try {
      for (;;) {
        m_stdin_slots.acquire();
        if (stop.stop_requested()) {
          return;
        }
        std::string frame(k_chunk_bytes + 1, '\0');
        frame[0] = encode_frame(Channel::std_in, {})[0];
        const std::size_t count = m_setup.streams.input->read(std::span<char>(frame).subspan(1));
        if (stop.stop_requested()) {
          return;
        }
        if (count == 0) {
          net::post(m_io, [this] { on_stdin_end(); });
          return;
        }
        frame.resize(count + 1);
        net::post(m_io, [this, frame = std::move(frame)]() mutable {
          enqueue(std::move(frame), Source::std_in);
        });
      }
    } catch (...) {
      net::post(m_io, [this, failure = std::current_exception()] { fail(failure); });
    }
  }

  void on_stdin_end()
  {
    if (m_protocol == ChannelProtocol::v5) {
      enqueue(encode_close(Channel::std_in), Source::control);
    }
  }

  // On the io thread: a failure outside the read loop (stdin) ends the exec.
  void fail(std::exception_ptr failure)
  {
    if (!m_failure) {
      m_failure = std::move(failure);
    }
    beast::get_lowest_layer(m_ws).close();
  }

  void stop_stdin_pump()
  {
    if (m_stdin_pump.joinable()) {
      m_stdin_pump.request_stop();
      m_setup.streams.input->interrupt();
      m_stdin_slots.release();
      m_stdin_pump.join();
    }
  }

  // Ends the helper coroutines and the stdin thread so that io_context::run returns.
  void finish()
  {
    m_finished = true;
    m_wake_writer.cancel();
    m_ping_timer.cancel();
    error_code ignored;
    m_winch.cancel(ignored);
    stop_stdin_pump();
    beast::get_lowest_layer(m_ws).close();
  }

  net::io_context& m_io;
  SessionSetup m_setup;
  std::string m_host_port;
  websocket::stream<Socket> m_ws;
  net::steady_timer m_wake_writer;
  net::steady_timer m_ping_timer;
  net::signal_set m_winch;
  std::deque<Outgoing> m_outbox;
  std::counting_semaphore<k_stdin_chunks_in_flight> m_stdin_slots{ k_stdin_chunks_in_flight };
  std::jthread m_stdin_pump;
  std::optional<TerminalSize> m_last_size;
  ChannelProtocol m_protocol = ChannelProtocol::v5;
  std::string m_status_json;
  bool m_status_received = false;
  bool m_finished = false;
  bool m_cancelled = false;
  std::exception_ptr m_failure;
};

// Registers `session.cancel()` with `cancellation` for the lifetime of this object.
class CancellationScope
{
public:
  template<typename Session>
  CancellationScope(ExecCancellation* cancellation, net::io_context& io, Session& session)
    : m_cancellation(cancellation)
  {
    if (m_cancellation != nullptr) {
      m_cancellation->set_handler(
        [&io, &session] { net::post(io, [&session] { session.cancel(); }); });
    }
  }
  ~CancellationScope()
  {
    if (m_cancellation != nullptr) {
      m_cancellation->clear_handler();
    }
  }
  CancellationScope(const CancellationScope&) = delete;
  CancellationScope& operator=(const CancellationScope&) = delete;

private:
  ExecCancellation* m_cancellation;
};

template<typename Socket, typename... SocketArgs>
ExecResult run_session(SessionSetup setup, ExecCancellation* cancellation,
                       SocketArgs&&... socket_args)
{
  net::io_context io(1);
  ExecSession<Socket> session(io, std::move(setup), std::forward<SocketArgs>(socket_args)...);
  const CancellationScope scope(cancellation, io, session);
  std::optional<ExecResult> result;
  std::exception_ptr failure;
  net::co_spawn(io, session.run(), [&](std::exception_ptr error, ExecResult value) {
    failure = std::move(error);
    result = value;
  });
  io.run();
  if (failure) {
    std::rethrow_exception(failure);
  }
  return *result;
}

ExecResult exec_once(const RestConfig& config, const ServerEndpoint& endpoint,
                     const ExecRequest& request, ExecStreams& streams,
                     ExecCancellation* cancellation)
{
  const auto credential =
    config.credentials ? config.credentials->current() : CredentialSource::Credential{};
  const AttachedStreams attached{ streams.input != nullptr, streams.output != nullptr,
                                  streams.error_output != nullptr };
  SessionSetup setup{ config,
                      request,
                      endpoint,
                      exec_target(endpoint, request, attached),
                      credential.bearer_token.empty()
                        ? SecretString()
                        : SecretString("Bearer " + credential.bearer_token.reveal()),
                      streams,
                      request.tty };
  if (endpoint.scheme == ServerEndpoint::Scheme::http) {
    return run_session<PlainSocket>(std::move(setup), cancellation);
  }
  auto tls = make_stream_tls_context(config, credential);
  return run_session<TlsSocket>(std::move(setup), cancellation, tls);
}

} // namespace

void ExecCancellation::cancel()
{
  const std::lock_guard lock(m_mutex);
  m_cancelled = true;
  if (m_on_cancel) {
    m_on_cancel();
  }
}

bool ExecCancellation::cancelled() const
{
  const std::lock_guard lock(m_mutex);
  return m_cancelled;
}

void ExecCancellation::set_handler(std::function<void()> on_cancel)
{
  const std::lock_guard lock(m_mutex);
  m_on_cancel = std::move(on_cancel);
  if (m_cancelled) {
    m_on_cancel();
  }
}

void ExecCancellation::clear_handler()
{
  const std::lock_guard lock(m_mutex);
  m_on_cancel = nullptr;
}

ExecResult exec(const RestConfig& config, const ExecRequest& request, ExecStreams& streams,
                ExecCancellation* cancellation)
{
  if (request.command.empty()) {
    throw UsageError("exec needs a command to run in the container");
  }
  if (streams.input == nullptr && streams.output == nullptr && streams.error_output == nullptr) {
    throw UsageError("exec needs at least one of stdin, stdout and stderr");
  }
  const auto endpoint = parse_server_url(config.server);
  if (!endpoint) {
    throw UsageError(endpoint.error());
  }
  try {
    return exec_once(config, *endpoint, request, streams, cancellation);
  } catch (const ExecError& error) {
    const bool unauthorized =
      error.failure() == ExecFailure::refused && error.status() && error.status()->code == 401;
    if (!unauthorized || !config.credentials) {
      throw;
    }
  }
  config.credentials->invalidate();
  return exec_once(config, *endpoint, request, streams, cancellation);
}

} // namespace kpg::kube
