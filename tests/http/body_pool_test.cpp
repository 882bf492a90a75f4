// BodyPool and HttpResponse::recycleBody (issue #10: /metrics reuses its ~100 MB body instead of
// faulting in a fresh mmap on every scrape). The server half runs a real HttpServer on an
// io_context thread and a real TCP client.
#include "ccpulse/http/body_pool.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <mutex>
#include <thread>

#include "../support/test_support.hpp"
#include "ccpulse/http/http_server.hpp"

namespace ccpulse {
namespace {

TEST(BodyPool, ReturnsARecycledBodyEmptyWithItsCapacity) {
  BodyPool pool;
  EXPECT_EQ(pool.take().capacity(), std::string().capacity());  // nothing recycled yet
  std::string body(3'000'000, 'x');
  const char* const storage = body.data();
  pool.give(std::move(body));
  EXPECT_EQ(pool.spareCount(), 1U);
  std::string again = pool.take();
  EXPECT_TRUE(again.empty());
  EXPECT_GE(again.capacity(), 3'000'000U);
  EXPECT_EQ(again.data(), storage);  // the same allocation, not a copy
  EXPECT_EQ(pool.spareCount(), 0U);
}

TEST(BodyPool, KeepsAtMostMaxSpareAndDropsOversizedBuffers) {
  BodyPool pool(2);
  for (int i = 0; i < 3; ++i) {
    pool.give(std::string(100, 'x'));
  }
  EXPECT_EQ(pool.spareCount(), 2U);  // the third is freed

  BodyPool shrinking(2);
  std::string big;
  big.reserve(10'000'000);
  big.assign(1'000, 'x');  // capacity 10 MB > 2 x 1,000 + 1 MiB: the label sets shrank
  shrinking.give(std::move(big));
  EXPECT_EQ(shrinking.spareCount(), 0U);
  std::string fits;
  fits.reserve(3'000'000);
  fits.assign(1'500'000, 'x');  // 3 MB <= 2 x 1.5 MB + 1 MiB
  shrinking.give(std::move(fits));
  EXPECT_EQ(shrinking.spareCount(), 1U);
}

TEST(HttpServerRecycle, BodyComesBackIntactAfterEachWrite) {
  boost::asio::io_context io;
  auto work = boost::asio::make_work_guard(io);
  std::mutex mutex;
  std::vector<std::string> recycled;
  HttpSettings http;
  http.listenPort = 0;
  HttpServer server(http, io, [&](HttpRequest& request) {
    HttpResponse r(200, "text/plain", "body for " + request.target);
    r.recycleBody = [&](std::string&& used) {
      std::lock_guard lock(mutex);
      recycled.push_back(std::move(used));
    };
    return r;
  });
  server.start();
  std::thread ioThread([&] { io.run(); });

  const auto a = test::httpGet(server.port(), "/a");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->body, "body for /a");
  const auto b = test::httpGet(server.port(), "/b");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->body, "body for /b");
  // The client has the whole response before the server's write handler runs: poll for it.
  const auto count = [&] {
    std::lock_guard lock(mutex);
    return recycled.size();
  };
  EXPECT_TRUE(test::pollUntil([&] { return count() == 2; }, std::chrono::seconds(5)));
  {
    std::lock_guard lock(mutex);
    ASSERT_EQ(recycled.size(), 2U);
    EXPECT_EQ(recycled[0], "body for /a");
    EXPECT_EQ(recycled[1], "body for /b");
  }

  boost::asio::post(io, [&] { server.stop(); });
  work.reset();
  io.stop();
  ioThread.join();
}

}  // namespace
}  // namespace ccpulse
