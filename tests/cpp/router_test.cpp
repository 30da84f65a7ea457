#include "framework/router.h"

#include <gtest/gtest.h>

using fb::RouteMatch;
using fb::Router;

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router.add("GET", "/");
    router.add("GET", "/hello");
    router.add("GET", "/items/{id}");
    router.add("PUT", "/items/{id}");
    router.add("GET", "/users/{user}/posts/{post}");
  }
  Router router;
  RouteMatch m;
};

TEST_F(RouterTest, StaticRoute) {
  router.match("GET", "/hello", m);
  ASSERT_EQ(m.result, RouteMatch::Result::found);
  EXPECT_EQ(m.route, 1u);
  EXPECT_TRUE(m.params.empty());
}

TEST_F(RouterTest, Root) {
  router.match("GET", "/", m);
  ASSERT_EQ(m.result, RouteMatch::Result::found);
  EXPECT_EQ(m.route, 0u);
}

TEST_F(RouterTest, PathParameters) {
  router.match("GET", "/users/7/posts/abc", m);
  ASSERT_EQ(m.result, RouteMatch::Result::found);
  EXPECT_EQ(m.route, 4u);
  ASSERT_EQ(m.params.size(), 2u);
  EXPECT_EQ(m.params[0].name, "user");
  EXPECT_EQ(m.params[0].value, "7");
  EXPECT_EQ(m.params[1].name, "post");
  EXPECT_EQ(m.params[1].value, "abc");
}

TEST_F(RouterTest, MethodSelectsRoute) {
  router.match("PUT", "/items/3", m);
  ASSERT_EQ(m.result, RouteMatch::Result::found);
  EXPECT_EQ(m.route, 3u);
  EXPECT_EQ(m.params.at(0).value, "3");
}

TEST_F(RouterTest, NotFound) {
  for (const char* path : {"/nope", "/items", "/items/", "/items/1/extra", "/hello/", "", "hello"}) {
    router.match("GET", path, m);
    EXPECT_EQ(m.result, RouteMatch::Result::not_found) << path;
    EXPECT_TRUE(m.params.empty()) << path;
  }
}

TEST_F(RouterTest, MethodNotAllowedListsAllowed) {
  router.match("DELETE", "/items/9", m);
  EXPECT_EQ(m.result, RouteMatch::Result::method_not_allowed);
  EXPECT_EQ(m.allowed_methods, "GET, PUT");
  router.match("POST", "/hello", m);
  EXPECT_EQ(m.result, RouteMatch::Result::method_not_allowed);
  EXPECT_EQ(m.allowed_methods, "GET");
}

TEST(Router, RejectsMalformedAndDuplicateTemplates) {
  Router r;
  EXPECT_THROW(r.add("GET", "no-slash"), fb::RouteError);
  EXPECT_THROW(r.add("GET", "/a/{}"), fb::RouteError);
  EXPECT_THROW(r.add("GET", "/a/x{id}"), fb::RouteError);
  EXPECT_THROW(r.add("", "/a"), fb::RouteError);
  r.add("GET", "/items/{id}");
  EXPECT_THROW(r.add("GET", "/items/{other}"), fb::RouteError);
  EXPECT_NO_THROW(r.add("POST", "/items/{id}"));
}
