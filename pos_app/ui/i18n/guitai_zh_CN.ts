<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>CountPage</name>
    <message>
        <location filename="../stock/count.py" line="56" />
        <source>Stock count</source>
        <translation>盘点</translation>
    </message>
    <message>
        <location filename="../stock/count.py" line="60" />
        <source>No stock count is open. A manager starts one; then scan every item on the shelves and in the stockroom. Items not scanned are left as they are.</source>
        <translation>当前没有进行中的盘点。由店长开始盘点，然后扫描货架和仓库里的每件商品。未扫描的商品库存保持不变。</translation>
    </message>
    <message>
        <location filename="../stock/count.py" line="69" />
        <source>Note (optional), e.g. month-end count, 2nd floor</source>
        <translation>备注（可选），如：月底盘点、二楼</translation>
    </message>
    <message>
        <location filename="../stock/count.py" line="71" />
        <source>Start a count (manager)</source>
        <translation>开始盘点（店长）</translation>
    </message>
    <message>
        <location filename="../stock/count.py" line="84" />
        <source>Scan an item (or type its code, then Enter)</source>
        <translation>扫描商品（或输入条码后按 Enter）</translation>
    </message>
    <message>
        <location filename="../stock/count.py" line="85" />
        <source>Qty 1</source>
        <translation>数量 1</translation>
    </message>
    <message>
        <location filename="../stock/count.py" line="90" />
        <source>Type a quantity first to count several at once; -1 takes one back.</source>
        <translation>先输入数量可一次盘多件；输入 -1 撤回一件。</translation>
    </message>
    <message>
        <location filename="../stock/count.py" line="95" />
        <location filename="../stock/count.py" line="114" />
        <source>SKU</source>
        <translation>货号</translation>
    </message>
    <message>
        <location filename="../stock/count.py" line="95" />
        <location filename="../stock/count.py" line="115" />
        <source>Item</source>
        <translation>商品</translation>
    </message>
    <message>
        <location filename="../stock/count.py" line="100" />
        <source>Cancel the count</source>
        <translation>取消盘点</translation>
    </message>
    <message>
        <location filename="../stock/count.py" line="102" />
        <source>Variance report</source>
        <translation>差异报告</translation>
    </message>
    <message>
        <location filename="../stock/count.py" line="116" />
        <source>Expected</source>
        <translation>账面</translation>
    </message>
    <message>
        <location filename="../stock/count.py" line="117" />
        <source>Sold since counted</source>
        <translation>盘后售出</translation>
    </message>
    <message>
        <location filename="../stock/count.py" line="95" />
        <location filename="../stock/count.py" line="118" />
        <source>Counted qty</source>
        <translation>实盘</translation>
    </message>
    <message>
        <location filename="../stock/count.py" line="119" />
        <source>Difference qty</source>
        <translation>差异</translation>
    </message>
    <message>
        <location filename="../stock/count.py" line="120" />
        <source>Value</source>
        <translation>金额</translation>
    </message>
    <message>
        <location filename="../stock/count.py" line="127" />
        <source>Back to scanning</source>
        <translation>继续扫描</translation>
    </message>
    <message>
        <location filename="../stock/count.py" line="128" />
        <source>Post the differences (manager)</source>
        <translation>过账差异（店长）</translation>
    </message>
    <message>
        <location filename="../stock/count.py" line="156" />
        <source>Count no. %1 · started by %2 at %3</source>
        <translation>盘点 %1 · %2 于 %3 开始</translation>
    </message>
    <message>
        <location filename="../stock/count.py" line="162" />
        <source>(resumed)</source>
        <translation>（继续上次盘点）</translation>
    </message>
    <message>
        <location filename="../stock/count.py" line="168" />
        <source>%1 items · %2 pieces counted</source>
        <translation>已盘 %1 个货号 · %2 件</translation>
    </message>
    <message>
        <location filename="../stock/count.py" line="176" />
        <source>Variance report · count no. %1</source>
        <translation>差异报告 · 盘点 %1</translation>
    </message>
    <message>
        <location filename="../stock/count.py" line="196" />
        <source>%1 items counted, %2 pieces (expected %3). %4 items differ: %5 pieces, %6; shrinkage %7.</source>
        <translation>已盘 %1 个货号，%2 件（账面 %3 件）。%4 个货号有差异：%5 件，%6；损耗 %7。</translation>
    </message>
    <message>
        <location filename="../stock/count.py" line="209" />
        <source>%1 items with stock were not scanned: they are left as they are.</source>
        <translation>%1 个有库存的货号未扫描：库存保持不变。</translation>
    </message>
    <message>
        <location filename="../stock/count.py" line="221" />
        <location filename="../stock/count.py" line="282" />
        <source>stock count</source>
        <translation>盘点</translation>
    </message>
    <message>
        <location filename="../stock/count.py" line="235" />
        <source>Count started: scan the items.</source>
        <translation>盘点已开始：请扫描商品。</translation>
    </message>
    <message>
        <location filename="../stock/count.py" line="239" />
        <source>Start a count first (a manager).</source>
        <translation>请先由店长开始盘点。</translation>
    </message>
    <message>
        <location filename="../stock/count.py" line="258" />
        <source>%1 %2: %3 → %4 counted</source>
        <translation>%1 %2：%3 → 已盘 %4 件</translation>
    </message>
    <message>
        <location filename="../stock/count.py" line="292" />
        <source>Count no. %1 posted, approved by %2: %3 items adjusted (%4 pieces, %5).</source>
        <translation>盘点 %1 已过账，授权人 %2：调整 %3 个货号（%4 件，%5）。</translation>
    </message>
    <message>
        <location filename="../stock/count.py" line="316" />
        <source>count abandoned</source>
        <translation>放弃盘点</translation>
    </message>
    <message>
        <location filename="../stock/count.py" line="325" />
        <source>Count no. %1 cancelled: nothing was changed.</source>
        <translation>盘点 %1 已取消：库存未作任何更改。</translation>
    </message>
</context>
<context>
    <name>CustomerDisplay</name>
    <message>
        <location filename="../sale/customer_display.py" line="18" />
        <source>Customer display</source>
        <translation>客显</translation>
    </message>
    <message>
        <location filename="../sale/customer_display.py" line="28" />
        <location filename="../sale/customer_display.py" line="122" />
        <source>Welcome</source>
        <translation>欢迎光临</translation>
    </message>
    <message>
        <location filename="../sale/customer_display.py" line="50" />
        <location filename="../sale/customer_display.py" line="118" />
        <source>Total</source>
        <translation>合计</translation>
    </message>
    <message>
        <location filename="../sale/customer_display.py" line="67" />
        <source>Scan for your e-receipt</source>
        <translation>扫码查看电子小票</translation>
    </message>
    <message>
        <location filename="../sale/customer_display.py" line="116" />
        <source>You save %1</source>
        <translation>共节省 %1</translation>
    </message>
    <message>
        <location filename="../sale/customer_display.py" line="129" />
        <source>Change %1</source>
        <translation>找零 %1</translation>
    </message>
    <message>
        <location filename="../sale/customer_display.py" line="131" />
        <source>Thank you!</source>
        <translation>谢谢惠顾！</translation>
    </message>
</context>
<context>
    <name>FollowupsDialog</name>
    <message>
        <location filename="../members/followups.py" line="28" />
        <source>Follow-ups</source>
        <translation>回访</translation>
    </message>
    <message>
        <location filename="../members/followups.py" line="41" />
        <source>Due</source>
        <translation>到期</translation>
    </message>
    <message>
        <location filename="../members/followups.py" line="42" />
        <source>Associate</source>
        <translation>导购</translation>
    </message>
    <message>
        <location filename="../members/followups.py" line="43" />
        <source>Member</source>
        <translation>会员</translation>
    </message>
    <message>
        <location filename="../members/followups.py" line="44" />
        <source>Mobile</source>
        <translation>手机号</translation>
    </message>
    <message>
        <location filename="../members/followups.py" line="45" />
        <source>Follow-up</source>
        <translation>回访</translation>
    </message>
    <message>
        <location filename="../members/followups.py" line="46" />
        <source>Sale</source>
        <translation>销售</translation>
    </message>
    <message>
        <location filename="../members/followups.py" line="58" />
        <source>Note (what the customer said)</source>
        <translation>备注（顾客的反馈）</translation>
    </message>
    <message>
        <location filename="../members/followups.py" line="61" />
        <source>e.g. called, likes the new coats, visits Saturday</source>
        <translation>例如：已电话联系，喜欢新款大衣，周六来店</translation>
    </message>
    <message>
        <location filename="../members/followups.py" line="67" />
        <location filename="../members/followups.py" line="78" />
        <source>Only mine</source>
        <translation>只看我的</translation>
    </message>
    <message>
        <location filename="../members/followups.py" line="71" />
        <source>Done</source>
        <translation>完成</translation>
    </message>
    <message>
        <location filename="../members/followups.py" line="71" />
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location filename="../members/followups.py" line="72" />
        <source>Mark done</source>
        <translation>标记完成</translation>
    </message>
    <message>
        <location filename="../members/followups.py" line="78" />
        <source>Everyone's</source>
        <translation>查看全部</translation>
    </message>
    <message>
        <location filename="../members/followups.py" line="95" />
        <source>%1 due now, %2 upcoming.</source>
        <translation>%1 条已到期，%2 条待回访。</translation>
    </message>
    <message>
        <location filename="../members/followups.py" line="99" />
        <source>No follow-ups: they appear after a member's sale with an associate.</source>
        <translation>暂无回访：会员消费并指定导购后会自动生成。</translation>
    </message>
    <message>
        <location filename="../members/followups.py" line="116" />
        <source>No. %1</source>
        <translation>第 %1 次</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../main_window.py" line="106" />
        <source>Guitai till</source>
        <translation>柜台收银</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="118" />
        <source>Till %1</source>
        <translation>%1 号收银台</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="129" />
        <source>Sign out</source>
        <translation>退出</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="172" />
        <source>Cashier %1</source>
        <translation>收银员 %1</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="200" />
        <source>Shift open. Happy selling!</source>
        <translation>已开班，祝生意兴隆！</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="331" />
        <source>%1 follow-up(s) due: %2</source>
        <translation>%1 条回访已到期：%2</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="374" />
        <source>Manager approval</source>
        <translation>店长授权</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="376" />
        <source>Manager</source>
        <translation>店长</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="377" />
        <source>PIN</source>
        <translation>PIN 密码</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="378" />
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="382" />
        <source>Approve</source>
        <translation>授权</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="383" />
        <location filename="../main_window.py" line="416" />
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="389" />
        <source>Manager, PIN and reason are all needed.</source>
        <translation>请填写店长、PIN 和原因。</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="411" />
        <source>Reprint a receipt</source>
        <translation>重印小票</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="414" />
        <source>No receipts yet.</source>
        <translation>还没有小票。</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="415" />
        <source>Reprint</source>
        <translation>重印</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="428" />
        <source>Receipt %1 reprinted.</source>
        <translation>小票 %1 已重印。</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="433" />
        <source>Receipt %1 (no printer configured)</source>
        <translation>小票 %1（未配置打印机）</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="435" />
        <location filename="../main_window.py" line="449" />
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="442" />
        <source>Gift receipt for %1 printed.</source>
        <translation>小票 %1 的礼品小票已打印。</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="447" />
        <source>Gift receipt %1 (no printer configured)</source>
        <translation>礼品小票 %1（未配置打印机）</translation>
    </message>
</context>
<context>
    <name>MemberColumn</name>
    <message>
        <source>Across the chain: %1 · %2 visits · %3 stores</source>
        <translation>全渠道：累计 %1 · 到店 %2 次 · %3 家门店</translation>
    </message>
    <message>
        <source>Last visit: %1 %2</source>
        <translation>最近到店：%1 %2</translation>
    </message>
    <message>
        <source>Next tier %1: %2 to go</source>
        <translation>距%1还差 %2</translation>
    </message>
    <message>
        <source>Sizes bought: %1</source>
        <translation>购买尺码：%1</translation>
    </message>
    <message>
        <source>Offline: as of %1 ago</source>
        <translation>离线：%1 前的数据</translation>
    </message>
    <message>
        <location filename="../members/panel.py" line="80" />
        <location filename="../members/panel.py" line="215" />
        <source>No member on this sale</source>
        <translation>本单没有会员</translation>
    </message>
    <message>
        <location filename="../members/panel.py" line="83" />
        <location filename="../members/panel.py" line="216" />
        <source>Scan the member code or press F6</source>
        <translation>扫描会员码或按 F6</translation>
    </message>
    <message>
        <location filename="../members/panel.py" line="99" />
        <source>Coupons</source>
        <translation>优惠券</translation>
    </message>
    <message>
        <location filename="../members/panel.py" line="127" />
        <source>Coupon</source>
        <translation>优惠券</translation>
    </message>
    <message>
        <location filename="../members/panel.py" line="128" />
        <source>Points</source>
        <translation>积分</translation>
    </message>
    <message>
        <location filename="../members/panel.py" line="129" />
        <source>Tags</source>
        <translation>标签</translation>
    </message>
    <message>
        <location filename="../members/panel.py" line="132" />
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <location filename="../members/panel.py" line="130" />
        <source>Top up</source>
        <translation>充值</translation>
    </message>
    <message>
        <location filename="../members/panel.py" line="133" />
        <source>Find / enroll  F6</source>
        <translation>查找 / 注册  F6</translation>
    </message>
    <message>
        <location filename="../members/panel.py" line="145" />
        <source>Suggestions</source>
        <translation>推荐</translation>
    </message>
    <message>
        <location filename="../members/panel.py" line="158" />
        <location filename="../members/panel.py" line="319" />
        <source>Follow-ups</source>
        <translation>回访</translation>
    </message>
    <message>
        <location filename="../members/panel.py" line="199" />
        <source>Associate: %1</source>
        <translation>导购：%1</translation>
    </message>
    <message>
        <location filename="../members/panel.py" line="202" />
        <source>Associate: none (tap to choose)</source>
        <translation>导购：无（点击选择）</translation>
    </message>
    <message>
        <location filename="../members/panel.py" line="203" />
        <source>Associate: choose</source>
        <translation>导购：点击选择</translation>
    </message>
    <message>
        <location filename="../members/panel.py" line="226" />
        <source>Points %1 · stored value %2</source>
        <translation>积分 %1 · 储值 %2</translation>
    </message>
    <message>
        <location filename="../members/panel.py" line="231" />
        <source>Redeeming %1 points</source>
        <translation>本单抵扣 %1 积分</translation>
    </message>
    <message>
        <location filename="../members/panel.py" line="233" />
        <source>Earns %1 points on this sale</source>
        <translation>本单可得 %1 积分</translation>
    </message>
    <message>
        <location filename="../members/panel.py" line="237" />
        <source>Coupon %1 applied</source>
        <translation>已用券 %1</translation>
    </message>
    <message>
        <location filename="../members/panel.py" line="248" />
        <source>bought together %1×</source>
        <translation>常一起购买 %1 次</translation>
    </message>
    <message>
        <location filename="../members/panel.py" line="255" />
        <source>Tap to add it to the sale</source>
        <translation>点击加入本单</translation>
    </message>
    <message>
        <location filename="../members/panel.py" line="258" />
        <source>No suggestions yet</source>
        <translation>暂无推荐</translation>
    </message>
    <message>
        <location filename="../members/panel.py" line="274" />
        <source>No usable coupons</source>
        <translation>没有可用的券</translation>
    </message>
    <message>
        <location filename="../members/panel.py" line="278" />
        <source>Birthday this month</source>
        <translation>本月生日</translation>
    </message>
    <message>
        <location filename="../members/panel.py" line="281" />
        <source>Lapsed: no purchase for %1 days</source>
        <translation>流失：%1 天未购买</translation>
    </message>
    <message>
        <location filename="../members/panel.py" line="287" />
        <source>Tags: %1</source>
        <translation>标签：%1</translation>
    </message>
    <message>
        <location filename="../members/panel.py" line="291" />
        <source>Points usable on this bill: up to %1</source>
        <translation>本单最多可用积分：%1</translation>
    </message>
    <message>
        <location filename="../members/panel.py" line="296" />
        <source>Usual sizes: %1</source>
        <translation>常购尺码：%1</translation>
    </message>
    <message>
        <location filename="../members/panel.py" line="302" />
        <source>Favourites: %1</source>
        <translation>偏好品类：%1</translation>
    </message>
    <message>
        <location filename="../members/panel.py" line="305" />
        <source>Last visits:</source>
        <translation>最近到店：</translation>
    </message>
    <message>
        <location filename="../members/panel.py" line="312" />
        <source>No purchases yet</source>
        <translation>尚无消费记录</translation>
    </message>
    <message>
        <location filename="../members/panel.py" line="321" />
        <source>%1 open, %2 due</source>
        <translation>%1 条未完成，%2 条到期</translation>
    </message>
</context>
<context>
    <name>MemberFlow</name>
    <message>
        <location filename="../members/dialogs.py" line="54" />
        <source>Ordinary</source>
        <translation>普通</translation>
    </message>
    <message>
        <location filename="../members/dialogs.py" line="55" />
        <source>Potential</source>
        <translation>潜力</translation>
    </message>
    <message>
        <location filename="../members/dialogs.py" line="56" />
        <source>Core</source>
        <translation>核心</translation>
    </message>
    <message>
        <location filename="../members/dialogs.py" line="78" />
        <source>Find member</source>
        <translation>查找会员</translation>
    </message>
    <message>
        <location filename="../members/dialogs.py" line="82" />
        <source>Mobile number, its last four digits, member code or e-receipt</source>
        <translation>手机号、手机尾号四位、会员码或电子小票</translation>
    </message>
    <message>
        <location filename="../members/dialogs.py" line="83" />
        <source>e.g. 13800138000 or 8000, or scan the code</source>
        <translation>例如 13800138000 或 8000，或扫码</translation>
    </message>
    <message>
        <location filename="../members/dialogs.py" line="87" />
        <source>Scan the member code on the customer's phone, or type the number.</source>
        <translation>请扫描顾客手机上的会员码，或输入手机号。</translation>
    </message>
    <message>
        <location filename="../members/dialogs.py" line="88" />
        <source>Find</source>
        <translation>查找</translation>
    </message>
    <message>
        <location filename="../members/dialogs.py" line="89" />
        <location filename="../members/dialogs.py" line="118" />
        <location filename="../members/dialogs.py" line="157" />
        <location filename="../members/dialogs.py" line="206" />
        <location filename="../members/dialogs.py" line="254" />
        <location filename="../members/dialogs.py" line="268" />
        <location filename="../members/dialogs.py" line="291" />
        <location filename="../members/dialogs.py" line="315" />
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../members/dialogs.py" line="90" />
        <source>Type a number or scan a code.</source>
        <translation>请输入号码或扫码。</translation>
    </message>
    <message>
        <location filename="../members/dialogs.py" line="113" />
        <source>Which member?</source>
        <translation>是哪位会员？</translation>
    </message>
    <message>
        <location filename="../members/dialogs.py" line="117" />
        <source>This member</source>
        <translation>选择此会员</translation>
    </message>
    <message>
        <location filename="../members/dialogs.py" line="127" />
        <source>Member %1 on this sale.</source>
        <translation>会员 %1 已加入本单。</translation>
    </message>
    <message>
        <location filename="../members/dialogs.py" line="135" />
        <source>No member found for %1: enroll the customer?</source>
        <translation>没有找到 %1 的会员：为顾客注册吗？</translation>
    </message>
    <message>
        <location filename="../members/dialogs.py" line="140" />
        <source>The mobile number is needed.</source>
        <translation>请填写手机号。</translation>
    </message>
    <message>
        <location filename="../members/dialogs.py" line="146" />
        <source>Enroll member</source>
        <translation>注册会员</translation>
    </message>
    <message>
        <location filename="../members/dialogs.py" line="148" />
        <source>Mobile number</source>
        <translation>手机号</translation>
    </message>
    <message>
        <location filename="../members/dialogs.py" line="149" />
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <location filename="../members/dialogs.py" line="149" />
        <source>e.g. Ms Wang</source>
        <translation>例如：王女士</translation>
    </message>
    <message>
        <location filename="../members/dialogs.py" line="150" />
        <source>Birthday (YYYY-MM-DD, optional)</source>
        <translation>生日（YYYY-MM-DD，可不填）</translation>
    </message>
    <message>
        <location filename="../members/dialogs.py" line="151" />
        <source>Tags (comma separated, optional)</source>
        <translation>标签（用逗号分隔，可不填）</translation>
    </message>
    <message>
        <location filename="../members/dialogs.py" line="152" />
        <source>Associate credited</source>
        <translation>归属导购</translation>
    </message>
    <message>
        <location filename="../members/dialogs.py" line="156" />
        <source>Enroll</source>
        <translation>注册</translation>
    </message>
    <message>
        <location filename="../members/dialogs.py" line="160" />
        <source>The customer agrees to receive marketing messages</source>
        <translation>顾客同意接收营销信息</translation>
    </message>
    <message>
        <location filename="../members/dialogs.py" line="175" />
        <source>Enrolled %1 and put on this sale.</source>
        <translation>已注册 %1 并加入本单。</translation>
    </message>
    <message>
        <location filename="../members/dialogs.py" line="178" />
        <source>%1 is already a member: found and put on this sale.</source>
        <translation>%1 已是会员：已找到并加入本单。</translation>
    </message>
    <message>
        <location filename="../members/dialogs.py" line="195" />
        <source>Usable coupons:</source>
        <translation>可用的券：</translation>
    </message>
    <message>
        <location filename="../members/dialogs.py" line="197" />
        <source>The member has no usable coupon: type or scan a code.</source>
        <translation>会员没有可用的券：请输入或扫描券码。</translation>
    </message>
    <message>
        <location filename="../members/dialogs.py" line="201" />
        <source>Coupon</source>
        <translation>优惠券</translation>
    </message>
    <message>
        <location filename="../members/dialogs.py" line="202" />
        <source>Coupon code (empty removes it)</source>
        <translation>券码（留空则取消用券）</translation>
    </message>
    <message>
        <location filename="../members/dialogs.py" line="205" />
        <source>Apply</source>
        <translation>确定</translation>
    </message>
    <message>
        <location filename="../members/dialogs.py" line="217" />
        <source>Coupon %1 applied: %2 off.</source>
        <translation>已用 %1：优惠 %2。</translation>
    </message>
    <message>
        <location filename="../members/dialogs.py" line="227" />
        <source>The member has %1 points. %2 points = ¥1; at most %3% of the bill.</source>
        <translation>会员有 %1 积分。%2 积分抵 ¥1；最多抵扣本单的 %3%。</translation>
    </message>
    <message>
        <location filename="../members/dialogs.py" line="232" />
        <source>This bill takes at most %1 points.</source>
        <translation>本单最多可用 %1 积分。</translation>
    </message>
    <message>
        <location filename="../members/dialogs.py" line="237" />
        <source>Type a whole number.</source>
        <translation>请输入整数。</translation>
    </message>
    <message>
        <location filename="../members/dialogs.py" line="242" />
        <source>Redeem points</source>
        <translation>积分抵现</translation>
    </message>
    <message>
        <location filename="../members/dialogs.py" line="246" />
        <source>Points (0 stops redeeming)</source>
        <translation>积分（0 表示不抵扣）</translation>
    </message>
    <message>
        <location filename="../members/dialogs.py" line="253" />
        <source>Redeem</source>
        <translation>抵扣</translation>
    </message>
    <message>
        <location filename="../members/dialogs.py" line="264" />
        <source>Member tags</source>
        <translation>会员标签</translation>
    </message>
    <message>
        <location filename="../members/dialogs.py" line="265" />
        <source>Tags (comma separated)</source>
        <translation>标签（用逗号分隔）</translation>
    </message>
    <message>
        <location filename="../members/dialogs.py" line="267" />
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <location filename="../members/dialogs.py" line="279" />
        <source>The amount must be more than zero.</source>
        <translation>金额必须大于零。</translation>
    </message>
    <message>
        <location filename="../members/dialogs.py" line="283" />
        <source>Top up stored value</source>
        <translation>储值充值</translation>
    </message>
    <message>
        <location filename="../members/dialogs.py" line="284" />
        <source>Amount (yuan)</source>
        <translation>金额（元）</translation>
    </message>
    <message>
        <location filename="../members/dialogs.py" line="287" />
        <source>Balance now %1. The customer pays cash: it is recorded as a pay-in in the drawer. Top-ups need the cloud.</source>
        <translation>当前余额 %1。顾客以现金支付，计入钱箱存入。充值需要连接云端。</translation>
    </message>
    <message>
        <location filename="../members/dialogs.py" line="290" />
        <source>Top up</source>
        <translation>充值</translation>
    </message>
    <message>
        <location filename="../members/dialogs.py" line="303" />
        <source>Topped up: the balance is %1.</source>
        <translation>充值成功：余额 %1。</translation>
    </message>
    <message>
        <location filename="../members/dialogs.py" line="310" />
        <source>Associate for this sale</source>
        <translation>本单导购</translation>
    </message>
    <message>
        <location filename="../members/dialogs.py" line="311" />
        <source>Associate (empty: none)</source>
        <translation>导购（留空表示无）</translation>
    </message>
    <message>
        <location filename="../members/dialogs.py" line="313" />
        <source>The associate is credited with the sale and its follow-ups.</source>
        <translation>本单业绩及回访任务归属该导购。</translation>
    </message>
    <message>
        <location filename="../members/dialogs.py" line="314" />
        <source>OK</source>
        <translation>正常</translation>
    </message>
</context>
<context>
    <name>ReceivePage</name>
    <message>
        <location filename="../stock/receive.py" line="47" />
        <source>Deliveries and transfers to receive</source>
        <translation>待收货的到货单和调拨单</translation>
    </message>
    <message>
        <location filename="../stock/receive.py" line="55" />
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <location filename="../stock/receive.py" line="56" />
        <source>Receive the selected one</source>
        <translation>收取所选单据</translation>
    </message>
    <message>
        <location filename="../stock/receive.py" line="65" />
        <source>Scan what arrived (or type its code, then Enter)</source>
        <translation>扫描到货商品（或输入条码后按 Enter）</translation>
    </message>
    <message>
        <location filename="../stock/receive.py" line="66" />
        <source>Qty 1</source>
        <translation>数量 1</translation>
    </message>
    <message>
        <location filename="../stock/receive.py" line="73" />
        <source>SKU</source>
        <translation>货号</translation>
    </message>
    <message>
        <location filename="../stock/receive.py" line="73" />
        <source>Announced</source>
        <translation>应到</translation>
    </message>
    <message>
        <location filename="../stock/receive.py" line="73" />
        <source>Received</source>
        <translation>实收</translation>
    </message>
    <message>
        <location filename="../stock/receive.py" line="73" />
        <source>Short</source>
        <translation>短少</translation>
    </message>
    <message>
        <location filename="../stock/receive.py" line="74" />
        <source>Over</source>
        <translation>多出</translation>
    </message>
    <message>
        <location filename="../stock/receive.py" line="81" />
        <source>Back to the list</source>
        <translation>返回列表</translation>
    </message>
    <message>
        <location filename="../stock/receive.py" line="82" />
        <source>Confirm what was received</source>
        <translation>确认收货</translation>
    </message>
    <message>
        <location filename="../stock/receive.py" line="97" />
        <source>Transfer</source>
        <translation>调拨</translation>
    </message>
    <message>
        <location filename="../stock/receive.py" line="97" />
        <source>Delivery</source>
        <translation>到货</translation>
    </message>
    <message>
        <location filename="../stock/receive.py" line="99" />
        <source>%1 pieces</source>
        <translation>%1 件</translation>
    </message>
    <message>
        <location filename="../stock/receive.py" line="101" />
        <source>(being received)</source>
        <translation>（收货中）</translation>
    </message>
    <message>
        <location filename="../stock/receive.py" line="106" />
        <source>Nothing announced. New deliveries arrive with the sync.</source>
        <translation>暂无待收单据。新的到货单会随同步到达。</translation>
    </message>
    <message>
        <location filename="../stock/receive.py" line="122" />
        <source>Receiving %1</source>
        <translation>正在收货 %1</translation>
    </message>
    <message>
        <location filename="../stock/receive.py" line="134" />
        <source>Announced %1 · received %2 · short %3 · over %4</source>
        <translation>应到 %1 · 实收 %2 · 短少 %3 · 多出 %4</translation>
    </message>
    <message>
        <location filename="../stock/receive.py" line="144" />
        <source>Choose the delivery first, then scan its items.</source>
        <translation>请先选择单据，再扫描商品。</translation>
    </message>
    <message>
        <location filename="../stock/receive.py" line="162" />
        <source>%1: %2 of %3 announced</source>
        <translation>%1：实收 %2 / 应到 %3</translation>
    </message>
    <message>
        <location filename="../stock/receive.py" line="166" />
        <source>(more than announced)</source>
        <translation>（多于应到数量）</translation>
    </message>
    <message>
        <location filename="../stock/receive.py" line="176" />
        <source>%1 received: %2 pieces in stock; short %3, over %4 (reported to the cloud).</source>
        <translation>%1 已收货：%2 件入库；短少 %3，多出 %4（已报告云端）。</translation>
    </message>
</context>
<context>
    <name>ReportView</name>
    <message>
        <location filename="../shift/screen.py" line="65" />
        <source>Z report no. %1 (day closed)</source>
        <translation>Z 报表 %1 号（已日结）</translation>
    </message>
    <message>
        <location filename="../shift/screen.py" line="67" />
        <source>X report (shift still open)</source>
        <translation>X 报表（班次进行中）</translation>
    </message>
    <message>
        <location filename="../shift/screen.py" line="70" />
        <source>Business day %1 · opened by %2 at %3</source>
        <translation>营业日 %1 · %2 于 %3 开班</translation>
    </message>
    <message>
        <location filename="../shift/screen.py" line="81" />
        <source>Sales</source>
        <translation>销售</translation>
    </message>
    <message>
        <location filename="../shift/screen.py" line="82" />
        <source>Refunds</source>
        <translation>退货</translation>
    </message>
    <message>
        <location filename="../shift/screen.py" line="83" />
        <source>Discounts given</source>
        <translation>优惠合计</translation>
    </message>
    <message>
        <location filename="../shift/screen.py" line="84" />
        <source>Net takings</source>
        <translation>净营业额</translation>
    </message>
    <message>
        <location filename="../shift/screen.py" line="85" />
        <source>Float</source>
        <translation>备用金</translation>
    </message>
    <message>
        <location filename="../shift/screen.py" line="86" />
        <source>Cash sales (net)</source>
        <translation>现金销售（净额）</translation>
    </message>
    <message>
        <location filename="../shift/screen.py" line="88" />
        <source>Paid in / paid out</source>
        <translation>存入 / 取出</translation>
    </message>
    <message>
        <location filename="../shift/screen.py" line="91" />
        <source>Expected in drawer</source>
        <translation>钱箱应有</translation>
    </message>
    <message>
        <location filename="../shift/screen.py" line="95" />
        <source>Counted</source>
        <translation>清点金额</translation>
    </message>
    <message>
        <location filename="../shift/screen.py" line="98" />
        <source>Difference</source>
        <translation>差额</translation>
    </message>
    <message>
        <location filename="../shift/screen.py" line="99" />
        <source>balances</source>
        <translation>相符</translation>
    </message>
    <message>
        <location filename="../shift/screen.py" line="101" />
        <source>over %1</source>
        <translation>长款 %1</translation>
    </message>
    <message>
        <location filename="../shift/screen.py" line="101" />
        <source>short %1</source>
        <translation>短款 %1</translation>
    </message>
    <message>
        <location filename="../shift/screen.py" line="107" />
        <source>Receipts</source>
        <translation>小票号</translation>
    </message>
    <message>
        <location filename="../shift/screen.py" line="114" />
        <source>Stock adjustments</source>
        <translation>库存调整</translation>
    </message>
    <message numerus="yes">
        <location filename="../shift/screen.py" line="115" />
        <source>%n line(s)</source>
        <translation>
            <numerusform>%n 行</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../shift/screen.py" line="117" />
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <location filename="../shift/screen.py" line="124" />
        <source>Sold below zero</source>
        <translation>负库存</translation>
    </message>
    <message numerus="yes">
        <location filename="../shift/screen.py" line="125" />
        <source>%n SKU(s): check the shelf</source>
        <translation>
            <numerusform>%n 个 SKU：请核对货架</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../shift/screen.py" line="134" />
        <source>Sales by hour</source>
        <translation>分时段销售</translation>
    </message>
    <message>
        <location filename="../shift/screen.py" line="137" />
        <source>No sales yet</source>
        <translation>暂无销售</translation>
    </message>
    <message>
        <location filename="../shift/screen.py" line="139" />
        <source>Sales by tender</source>
        <translation>按付款方式</translation>
    </message>
    <message>
        <location filename="../shift/screen.py" line="142" />
        <source>No payments yet</source>
        <translation>暂无收款</translation>
    </message>
</context>
<context>
    <name>ReportsPage</name>
    <message>
        <location filename="../stock/reports.py" line="35" />
        <source>Stock value by category</source>
        <translation>各品类库存金额</translation>
    </message>
    <message>
        <location filename="../stock/reports.py" line="36" />
        <source>Negative stock</source>
        <translation>负库存</translation>
    </message>
    <message>
        <location filename="../stock/reports.py" line="37" />
        <source>Slow movers</source>
        <translation>滞销商品</translation>
    </message>
    <message>
        <location filename="../stock/reports.py" line="42" />
        <source>no sale in (days)</source>
        <translation>未售天数</translation>
    </message>
    <message>
        <location filename="../stock/reports.py" line="68" />
        <source>Scans are taken on the count, receive and send pages.</source>
        <translation>请在盘点、收货或调拨页面扫描。</translation>
    </message>
    <message>
        <location filename="../stock/reports.py" line="81" />
        <source>stock reports</source>
        <translation>库存报表</translation>
    </message>
    <message>
        <location filename="../stock/reports.py" line="94" />
        <source>Stock value by category (retail prices)</source>
        <translation>各品类库存金额（按零售价）</translation>
    </message>
    <message>
        <location filename="../stock/reports.py" line="95" />
        <source>Category</source>
        <translation>品类</translation>
    </message>
    <message>
        <location filename="../stock/reports.py" line="95" />
        <source>Items</source>
        <translation>货号数</translation>
    </message>
    <message>
        <location filename="../stock/reports.py" line="95" />
        <source>Pieces</source>
        <translation>件数</translation>
    </message>
    <message>
        <location filename="../stock/reports.py" line="95" />
        <location filename="../stock/reports.py" line="110" />
        <source>Value</source>
        <translation>金额</translation>
    </message>
    <message>
        <location filename="../stock/reports.py" line="102" />
        <source>Total: %1 pieces, %2</source>
        <translation>合计：%1 件，%2</translation>
    </message>
    <message>
        <location filename="../stock/reports.py" line="108" />
        <source>In stock, no sale in %1 days</source>
        <translation>有库存但 %1 天未售出</translation>
    </message>
    <message>
        <location filename="../stock/reports.py" line="110" />
        <location filename="../stock/reports.py" line="125" />
        <source>SKU</source>
        <translation>货号</translation>
    </message>
    <message>
        <location filename="../stock/reports.py" line="110" />
        <location filename="../stock/reports.py" line="125" />
        <source>Item</source>
        <translation>商品</translation>
    </message>
    <message>
        <location filename="../stock/reports.py" line="110" />
        <location filename="../stock/reports.py" line="125" />
        <source>On hand</source>
        <translation>库存</translation>
    </message>
    <message>
        <location filename="../stock/reports.py" line="111" />
        <source>Last sale</source>
        <translation>最近售出</translation>
    </message>
    <message>
        <location filename="../stock/reports.py" line="115" />
        <source>never</source>
        <translation>从未</translation>
    </message>
    <message>
        <location filename="../stock/reports.py" line="119" />
        <source>%1 items, %2 tied up</source>
        <translation>%1 个货号，占用 %2</translation>
    </message>
    <message>
        <location filename="../stock/reports.py" line="124" />
        <source>Below zero: check these shelves, then count them</source>
        <translation>负库存：请核对这些货架，然后盘点</translation>
    </message>
    <message>
        <location filename="../stock/reports.py" line="125" />
        <source>Since</source>
        <translation>出现时间</translation>
    </message>
    <message>
        <location filename="../stock/reports.py" line="133" />
        <source>%1 items below zero (%2 pieces)</source>
        <translation>%1 个货号为负库存（%2 件）</translation>
    </message>
</context>
<context>
    <name>ReturnsScreen</name>
    <message>
        <location filename="../returns/screen.py" line="62" />
        <source>Return goods</source>
        <translation>退货</translation>
    </message>
    <message>
        <location filename="../returns/screen.py" line="66" />
        <source>Receipt number of the sale</source>
        <translation>原销售小票号</translation>
    </message>
    <message>
        <location filename="../returns/screen.py" line="69" />
        <source>Find</source>
        <translation>查找</translation>
    </message>
    <message>
        <location filename="../returns/screen.py" line="80" />
        <source>Item</source>
        <translation>商品</translation>
    </message>
    <message>
        <location filename="../returns/screen.py" line="81" />
        <source>Sold</source>
        <translation>已售</translation>
    </message>
    <message>
        <location filename="../returns/screen.py" line="82" />
        <source>Paid each</source>
        <translation>单件实付</translation>
    </message>
    <message>
        <location filename="../returns/screen.py" line="83" />
        <source>Can return</source>
        <translation>可退</translation>
    </message>
    <message>
        <location filename="../returns/screen.py" line="84" />
        <source>Return</source>
        <translation>退货</translation>
    </message>
    <message>
        <location filename="../returns/screen.py" line="100" />
        <location filename="../returns/screen.py" line="134" />
        <source>Refund</source>
        <translation>退款</translation>
    </message>
    <message>
        <location filename="../returns/screen.py" line="103" />
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <location filename="../returns/screen.py" line="106" />
        <source>e.g. wrong size</source>
        <translation>例如：尺码不合适</translation>
    </message>
    <message>
        <location filename="../returns/screen.py" line="108" />
        <source>Refund to</source>
        <translation>退款方式</translation>
    </message>
    <message>
        <location filename="../returns/screen.py" line="109" />
        <location filename="../returns/screen.py" line="213" />
        <source>Original payment</source>
        <translation>原路退回</translation>
    </message>
    <message>
        <location filename="../returns/screen.py" line="113" />
        <source>Cash</source>
        <translation>现金</translation>
    </message>
    <message>
        <location filename="../returns/screen.py" line="129" />
        <source>Cancel refund</source>
        <translation>取消退款</translation>
    </message>
    <message>
        <location filename="../returns/screen.py" line="285" />
        <source>Refund to the card — follow the terminal (%1)</source>
        <translation>原路退回银行卡 — 请按刷卡终端提示操作（%1）</translation>
    </message>
    <message>
        <location filename="../returns/screen.py" line="313" />
        <source>Cancelling…</source>
        <translation>正在取消…</translation>
    </message>
    <message>
        <location filename="../returns/screen.py" line="327" />
        <source>Refund not done: nothing was paid back and the return is not recorded. Try again, or refund cash.</source>
        <translation>退款未完成：未退款，退货也未记录。请重试，或改退现金。</translation>
    </message>
    <message>
        <location filename="../returns/screen.py" line="332" />
        <source>The terminal did not confirm the refund. Do not refund again: the technician checks it with “guitai payments recover”.</source>
        <translation>刷卡终端未确认退款。请勿重复退款：由技术人员运行 “guitai payments recover” 核查。</translation>
    </message>
    <message>
        <location filename="../returns/screen.py" line="352" />
        <location filename="../returns/screen.py" line="359" />
        <source>Refund done: receipt no. %1, paid back: %2.</source>
        <translation>退款完成：小票号 %1，已退：%2。</translation>
    </message>
    <message>
        <location filename="../returns/screen.py" line="137" />
        <source>Back  Esc</source>
        <translation>返回  Esc</translation>
    </message>
    <message>
        <location filename="../returns/screen.py" line="171" />
        <source>Type the receipt number (digits only).</source>
        <translation>请输入小票号（仅数字）。</translation>
    </message>
    <message>
        <location filename="../returns/screen.py" line="187" />
        <source>Checking the receipt…</source>
        <translation>正在验证小票…</translation>
    </message>
    <message>
        <location filename="../returns/screen.py" line="195" />
        <source>Receipt %1: </source>
        <translation>小票 %1：</translation>
    </message>
    <message>
        <location filename="../returns/screen.py" line="218" />
        <source>Receipt %1 · %2 · cashier %3 · total %4</source>
        <translation>小票 %1 · %2 · 收银员 %3 · 合计 %4</translation>
    </message>
    <message>
        <location filename="../returns/screen.py" line="271" />
        <source>Sold at store %1, till %2</source>
        <translation>售出门店 %1，收银机 %2</translation>
    </message>
</context>
<context>
    <name>SaleDiscounts</name>
    <message>
        <location filename="../sale/discounts.py" line="69" />
        <source>Whole sale</source>
        <translation>整单</translation>
    </message>
    <message>
        <location filename="../sale/discounts.py" line="81" />
        <source>Give a reason for the discount.</source>
        <translation>请填写折扣原因。</translation>
    </message>
    <message>
        <location filename="../sale/discounts.py" line="87" />
        <source>Discount</source>
        <translation>折扣</translation>
    </message>
    <message>
        <location filename="../sale/discounts.py" line="91" />
        <source>Discount (10% or an amount in yuan; empty removes it)</source>
        <translation>折扣（如 10% 或金额；留空即取消）</translation>
    </message>
    <message>
        <location filename="../sale/discounts.py" line="95" />
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <location filename="../sale/discounts.py" line="95" />
        <source>e.g. damaged, VIP, price match</source>
        <translation>例如：瑕疵、VIP、比价</translation>
    </message>
    <message>
        <location filename="../sale/discounts.py" line="99" />
        <source>Apply</source>
        <translation>确定</translation>
    </message>
    <message>
        <location filename="../sale/discounts.py" line="100" />
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
</context>
<context>
    <name>SaleScreen</name>
    <message>
        <location filename="../sale/screen.py" line="56" />
        <location filename="../sale/screen.py" line="192" />
        <source>Scan a barcode, or type SKU, name or pinyin initials</source>
        <translation>扫描条码，或输入货号、品名、拼音首字母</translation>
    </message>
    <message>
        <location filename="../sale/screen.py" line="75" />
        <source>#</source>
        <translation>序号</translation>
    </message>
    <message>
        <location filename="../sale/screen.py" line="76" />
        <source>Item</source>
        <translation>商品</translation>
    </message>
    <message>
        <location filename="../sale/screen.py" line="77" />
        <source>Qty</source>
        <translation>数量</translation>
    </message>
    <message>
        <location filename="../sale/screen.py" line="78" />
        <source>Price</source>
        <translation>单价</translation>
    </message>
    <message>
        <location filename="../sale/screen.py" line="79" />
        <source>Discount</source>
        <translation>折扣</translation>
    </message>
    <message>
        <location filename="../sale/screen.py" line="80" />
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <location filename="../sale/screen.py" line="86" />
        <location filename="../sale/screen.py" line="373" />
        <source>Quantity</source>
        <translation>数量</translation>
    </message>
    <message>
        <location filename="../sale/screen.py" line="87" />
        <source>Line discount</source>
        <translation>单品折扣</translation>
    </message>
    <message>
        <location filename="../sale/screen.py" line="88" />
        <location filename="../sale/screen.py" line="396" />
        <location filename="../sale/screen.py" line="402" />
        <source>Void line</source>
        <translation>删除商品</translation>
    </message>
    <message>
        <location filename="../sale/screen.py" line="110" />
        <source>Subtotal</source>
        <translation>小计</translation>
    </message>
    <message>
        <location filename="../sale/screen.py" line="114" />
        <source>Discounts</source>
        <translation>优惠</translation>
    </message>
    <message>
        <location filename="../sale/screen.py" line="122" />
        <source>To pay</source>
        <translation>应付</translation>
    </message>
    <message>
        <location filename="../sale/screen.py" line="128" />
        <source>Pay  F2</source>
        <translation>收款  F2</translation>
    </message>
    <message>
        <location filename="../sale/screen.py" line="133" />
        <source>Suspend  F4</source>
        <translation>挂单  F4</translation>
    </message>
    <message>
        <location filename="../sale/screen.py" line="134" />
        <source>Resume  F5</source>
        <translation>取单  F5</translation>
    </message>
    <message>
        <location filename="../sale/screen.py" line="135" />
        <source>Member  F6</source>
        <translation>会员  F6</translation>
    </message>
    <message>
        <location filename="../sale/screen.py" line="136" />
        <source>Return  F7</source>
        <translation>退货  F7</translation>
    </message>
    <message>
        <location filename="../sale/screen.py" line="137" />
        <source>Reprint  F8</source>
        <translation>重印  F8</translation>
    </message>
    <message>
        <location filename="../sale/screen.py" line="138" />
        <source>Shift  F9</source>
        <translation>班次  F9</translation>
    </message>
    <message>
        <location filename="../sale/screen.py" line="139" />
        <source>Stock  F3</source>
        <translation>库存  F3</translation>
    </message>
    <message>
        <location filename="../sale/screen.py" line="140" />
        <source>Order discount</source>
        <translation>整单折扣</translation>
    </message>
    <message>
        <location filename="../sale/screen.py" line="141" />
        <location filename="../sale/screen.py" line="412" />
        <location filename="../sale/screen.py" line="418" />
        <source>Void sale</source>
        <translation>整单作废</translation>
    </message>
    <message>
        <location filename="../sale/screen.py" line="193" />
        <source>Scan, or type SKU, name or pinyin</source>
        <translation>扫码，或输入货号、品名、拼音</translation>
    </message>
    <message>
        <location filename="../sale/screen.py" line="194" />
        <source>Scan or type</source>
        <translation>扫码或输入</translation>
    </message>
    <message numerus="yes">
        <location filename="../sale/screen.py" line="248" />
        <source>%n item(s)</source>
        <translation>
            <numerusform>共 %n 件</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../sale/screen.py" line="329" />
        <source>No match: press Enter to try it as a barcode</source>
        <translation>无匹配商品：按 Enter 按条码查找</translation>
    </message>
    <message>
        <location filename="../sale/screen.py" line="376" />
        <source>OK</source>
        <translation>正常</translation>
    </message>
    <message>
        <location filename="../sale/screen.py" line="377" />
        <location filename="../sale/screen.py" line="403" />
        <location filename="../sale/screen.py" line="419" />
        <location filename="../sale/screen.py" line="441" />
        <location filename="../sale/screen.py" line="473" />
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../sale/screen.py" line="378" />
        <source>Type a whole number.</source>
        <translation>请输入整数。</translation>
    </message>
    <message>
        <location filename="../sale/screen.py" line="397" />
        <location filename="../sale/screen.py" line="413" />
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <location filename="../sale/screen.py" line="397" />
        <source>e.g. customer changed their mind</source>
        <translation>例如：顾客不要了</translation>
    </message>
    <message>
        <location filename="../sale/screen.py" line="404" />
        <source>Say why the line is voided.</source>
        <translation>请填写删除原因。</translation>
    </message>
    <message>
        <location filename="../sale/screen.py" line="413" />
        <source>e.g. customer left</source>
        <translation>例如：顾客离开</translation>
    </message>
    <message>
        <location filename="../sale/screen.py" line="417" />
        <source>The whole sale is cancelled and recorded as voided.</source>
        <translation>整单将被取消并记录为作废。</translation>
    </message>
    <message>
        <location filename="../sale/screen.py" line="420" />
        <source>Say why the sale is voided.</source>
        <translation>请填写作废原因。</translation>
    </message>
    <message>
        <location filename="../sale/screen.py" line="431" />
        <source>Sale parked as no. %1</source>
        <translation>已挂单，单号 %1</translation>
    </message>
    <message>
        <location filename="../sale/screen.py" line="437" />
        <source>Suspend sale</source>
        <translation>挂单</translation>
    </message>
    <message>
        <location filename="../sale/screen.py" line="438" />
        <source>Note (optional)</source>
        <translation>备注（可选）</translation>
    </message>
    <message>
        <location filename="../sale/screen.py" line="438" />
        <source>e.g. lady in red coat</source>
        <translation>例如：红色外套的女士</translation>
    </message>
    <message>
        <location filename="../sale/screen.py" line="440" />
        <source>Suspend</source>
        <translation>挂单</translation>
    </message>
    <message numerus="yes">
        <location filename="../sale/screen.py" line="459" />
        <source>%n piece(s)</source>
        <translation>
            <numerusform>%n 件</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../sale/screen.py" line="468" />
        <source>Resume a parked sale</source>
        <translation>取回挂单</translation>
    </message>
    <message>
        <location filename="../sale/screen.py" line="471" />
        <source>No parked sales.</source>
        <translation>没有挂单。</translation>
    </message>
    <message>
        <location filename="../sale/screen.py" line="472" />
        <source>Resume</source>
        <translation>取单</translation>
    </message>
</context>
<context>
    <name>Savings</name>
    <message>
        <location filename="../members/panel.py" line="35" />
        <source>Member price</source>
        <translation>会员价优惠</translation>
    </message>
</context>
<context>
    <name>SendPage</name>
    <message>
        <location filename="../stock/receive.py" line="200" />
        <source>Send items to another store</source>
        <translation>调拨到其他门店</translation>
    </message>
    <message>
        <location filename="../stock/receive.py" line="204" />
        <source>To store, e.g. S002</source>
        <translation>调入门店，如 S002</translation>
    </message>
    <message>
        <location filename="../stock/receive.py" line="208" />
        <source>Note (optional)</source>
        <translation>备注（可选）</translation>
    </message>
    <message>
        <location filename="../stock/receive.py" line="212" />
        <source>Scan the items to send</source>
        <translation>扫描要调出的商品</translation>
    </message>
    <message>
        <location filename="../stock/receive.py" line="212" />
        <source>Qty 1</source>
        <translation>数量 1</translation>
    </message>
    <message>
        <location filename="../stock/receive.py" line="216" />
        <source>SKU</source>
        <translation>货号</translation>
    </message>
    <message>
        <location filename="../stock/receive.py" line="216" />
        <source>Item</source>
        <translation>商品</translation>
    </message>
    <message>
        <location filename="../stock/receive.py" line="216" />
        <location filename="../stock/receive.py" line="225" />
        <location filename="../stock/receive.py" line="294" />
        <source>Send</source>
        <translation>调出</translation>
    </message>
    <message>
        <location filename="../stock/receive.py" line="216" />
        <source>On hand</source>
        <translation>库存</translation>
    </message>
    <message>
        <location filename="../stock/receive.py" line="224" />
        <source>Remove the selected line</source>
        <translation>删除所选行</translation>
    </message>
    <message>
        <location filename="../stock/receive.py" line="259" />
        <source>%1 pieces to send</source>
        <translation>共 %1 件待调出</translation>
    </message>
    <message>
        <location filename="../stock/receive.py" line="281" />
        <source>Transfer %1 to %2: %3 pieces out of stock; announced with the next sync.</source>
        <translation>调拨单 %1 发往 %2：%3 件已出库，下次同步时通知云端。</translation>
    </message>
    <message>
        <location filename="../stock/receive.py" line="290" />
        <source>Send to %1</source>
        <translation>调拨到 %1</translation>
    </message>
    <message>
        <location filename="../stock/receive.py" line="292" />
        <source>%1 pieces leave this store's stock now. Pack them with the transfer number.</source>
        <translation>%1 件将立即从本店库存中扣除。请随货附上调拨单号。</translation>
    </message>
    <message>
        <location filename="../stock/receive.py" line="295" />
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
</context>
<context>
    <name>ShiftScreen</name>
    <message>
        <location filename="../shift/screen.py" line="177" />
        <source>Open the shift</source>
        <translation>开班</translation>
    </message>
    <message>
        <location filename="../shift/screen.py" line="178" />
        <source>Count the float in the drawer and type it in.</source>
        <translation>请清点钱箱中的备用金并输入金额。</translation>
    </message>
    <message>
        <location filename="../shift/screen.py" line="182" />
        <source>Float counted in the drawer (yuan)</source>
        <translation>钱箱备用金（元）</translation>
    </message>
    <message>
        <location filename="../shift/screen.py" line="185" />
        <source>Open shift</source>
        <translation>开班</translation>
    </message>
    <message>
        <location filename="../shift/screen.py" line="187" />
        <location filename="../shift/screen.py" line="279" />
        <source>Sign out</source>
        <translation>退出</translation>
    </message>
    <message>
        <location filename="../shift/screen.py" line="199" />
        <location filename="../shift/screen.py" line="322" />
        <source>Pay in</source>
        <translation>存入现金</translation>
    </message>
    <message>
        <location filename="../shift/screen.py" line="200" />
        <location filename="../shift/screen.py" line="322" />
        <source>Pay out</source>
        <translation>取出现金</translation>
    </message>
    <message>
        <location filename="../shift/screen.py" line="201" />
        <source>Refresh X report</source>
        <translation>刷新 X 报表</translation>
    </message>
    <message>
        <location filename="../shift/screen.py" line="202" />
        <source>Stock count / goods</source>
        <translation>盘点 / 收发货</translation>
    </message>
    <message>
        <location filename="../shift/screen.py" line="203" />
        <source>Close day (Z)</source>
        <translation>日结（Z）</translation>
    </message>
    <message>
        <location filename="../shift/screen.py" line="204" />
        <source>Print report</source>
        <translation>打印报表</translation>
    </message>
    <message>
        <location filename="../shift/screen.py" line="205" />
        <location filename="../shift/screen.py" line="279" />
        <source>Back to sale  Esc</source>
        <translation>返回收银  Esc</translation>
    </message>
    <message>
        <location filename="../shift/screen.py" line="226" />
        <source>Count the cash</source>
        <translation>清点现金</translation>
    </message>
    <message>
        <location filename="../shift/screen.py" line="228" />
        <source>Number of notes and coins of each kind in the drawer.</source>
        <translation>输入钱箱中各面额纸币和硬币的数量。</translation>
    </message>
    <message>
        <location filename="../shift/screen.py" line="245" />
        <source>Counted</source>
        <translation>清点金额</translation>
    </message>
    <message>
        <location filename="../shift/screen.py" line="251" />
        <source>Close the day (Z report)</source>
        <translation>日结（Z 报表）</translation>
    </message>
    <message>
        <location filename="../shift/screen.py" line="252" />
        <source>Back</source>
        <translation>返回</translation>
    </message>
    <message>
        <location filename="../shift/screen.py" line="307" />
        <source>Open with no float?</source>
        <translation>备用金为零？</translation>
    </message>
    <message>
        <location filename="../shift/screen.py" line="309" />
        <source>The drawer holds ¥0.00: there is no change for the first cash sale. Open the shift with a float of ¥0.00?</source>
        <translation>钱箱备用金为 ¥0.00：第一笔现金交易将无法找零。确定以 ¥0.00 备用金开班吗？</translation>
    </message>
    <message>
        <location filename="../shift/screen.py" line="312" />
        <source>Open with ¥0.00</source>
        <translation>以 ¥0.00 开班</translation>
    </message>
    <message>
        <location filename="../shift/screen.py" line="313" />
        <source>Count again</source>
        <translation>重新清点</translation>
    </message>
    <message>
        <location filename="../shift/screen.py" line="332" />
        <source>Give a reason (it is printed on the Z report).</source>
        <translation>请填写原因（会打印在日结报表上）。</translation>
    </message>
    <message>
        <location filename="../shift/screen.py" line="340" />
        <source>Amount (yuan)</source>
        <translation>金额（元）</translation>
    </message>
    <message>
        <location filename="../shift/screen.py" line="341" />
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <location filename="../shift/screen.py" line="341" />
        <source>e.g. change from the bank</source>
        <translation>例如：从银行换零钱</translation>
    </message>
    <message>
        <location filename="../shift/screen.py" line="351" />
        <location filename="../shift/screen.py" line="410" />
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../shift/screen.py" line="361" />
        <location filename="../shift/screen.py" line="376" />
        <source>Expected %1</source>
        <translation>应有 %1</translation>
    </message>
    <message>
        <location filename="../shift/screen.py" line="379" />
        <source>balances</source>
        <translation>相符</translation>
    </message>
    <message>
        <location filename="../shift/screen.py" line="381" />
        <source>over %1</source>
        <translation>长款 %1</translation>
    </message>
    <message>
        <location filename="../shift/screen.py" line="381" />
        <source>short %1</source>
        <translation>短款 %1</translation>
    </message>
    <message>
        <location filename="../shift/screen.py" line="405" />
        <source>Manager approval</source>
        <translation>店长授权</translation>
    </message>
    <message>
        <location filename="../shift/screen.py" line="406" />
        <source>Manager</source>
        <translation>店长</translation>
    </message>
    <message>
        <location filename="../shift/screen.py" line="406" />
        <source>PIN</source>
        <translation>PIN 密码</translation>
    </message>
    <message>
        <location filename="../shift/screen.py" line="408" />
        <source>A manager closes the day.</source>
        <translation>日结需要店长授权。</translation>
    </message>
    <message>
        <location filename="../shift/screen.py" line="409" />
        <source>Approve</source>
        <translation>授权</translation>
    </message>
    <message>
        <location filename="../shift/screen.py" line="436" />
        <source>The report is printed.</source>
        <translation>报表已打印。</translation>
    </message>
</context>
<context>
    <name>SignInScreen</name>
    <message>
        <location filename="../signin/screen.py" line="28" />
        <source>Who is selling?</source>
        <translation>谁在收银？</translation>
    </message>
    <message>
        <location filename="../signin/screen.py" line="29" />
        <source>Tap your name, then enter your PIN.</source>
        <translation>点选您的名字，然后输入 PIN 密码。</translation>
    </message>
    <message>
        <location filename="../signin/screen.py" line="37" />
        <source>Choose a user</source>
        <translation>请选择用户</translation>
    </message>
    <message>
        <location filename="../signin/screen.py" line="44" />
        <source>PIN</source>
        <translation>PIN 密码</translation>
    </message>
    <message>
        <location filename="../signin/screen.py" line="50" />
        <source>Sign in</source>
        <translation>登录</translation>
    </message>
    <message>
        <location filename="../signin/screen.py" line="92" />
        <source>Tap your name first.</source>
        <translation>请先点选您的名字。</translation>
    </message>
    <message>
        <location filename="../signin/screen.py" line="99" />
        <source>Checking…</source>
        <translation>正在验证…</translation>
    </message>
</context>
<context>
    <name>StatusBar</name>
    <message>
        <location filename="../common/status_bar.py" line="61" />
        <source>Printer</source>
        <translation>打印机</translation>
    </message>
    <message>
        <location filename="../common/status_bar.py" line="62" />
        <source>Drawer</source>
        <translation>钱箱</translation>
    </message>
    <message>
        <location filename="../common/status_bar.py" line="63" />
        <source>Scanner</source>
        <translation>扫码枪</translation>
    </message>
    <message>
        <location filename="../common/status_bar.py" line="64" />
        <source>Terminal</source>
        <translation>刷卡终端</translation>
    </message>
    <message>
        <location filename="../common/status_bar.py" line="65" />
        <source>Network</source>
        <translation>网络</translation>
    </message>
    <message>
        <location filename="../common/status_bar.py" line="66" />
        <source>Sync</source>
        <translation>同步</translation>
    </message>
    <message>
        <location filename="../common/status_bar.py" line="71" />
        <source>OK</source>
        <translation>正常</translation>
    </message>
    <message>
        <location filename="../common/status_bar.py" line="72" />
        <source>check</source>
        <translation>请检查</translation>
    </message>
    <message>
        <location filename="../common/status_bar.py" line="73" />
        <source>fault</source>
        <translation>故障</translation>
    </message>
    <message>
        <location filename="../common/status_bar.py" line="74" />
        <source>not set up</source>
        <translation>未配置</translation>
    </message>
    <message>
        <location filename="../common/status_bar.py" line="113" />
        <source>Status not known yet.</source>
        <translation>状态未知。</translation>
    </message>
    <message>
        <location filename="../common/status_bar.py" line="117" />
        <source>What happened</source>
        <translation>发生了什么</translation>
    </message>
    <message>
        <location filename="../common/status_bar.py" line="119" />
        <source>What to do</source>
        <translation>如何处理</translation>
    </message>
    <message>
        <location filename="../common/status_bar.py" line="123" />
        <source>Waiting to send: %1</source>
        <translation>待发送：%1</translation>
    </message>
    <message>
        <location filename="../common/status_bar.py" line="124" />
        <source>Close</source>
        <translation>关闭</translation>
    </message>
</context>
<context>
    <name>StockGridScreen</name>
    <message>
        <location filename="../stock/grid.py" line="75" />
        <source>Stock by colour and size</source>
        <translation>库存（颜色 × 尺码）</translation>
    </message>
    <message>
        <location filename="../stock/grid.py" line="78" />
        <source>Scan an item, or type its code or style number</source>
        <translation>扫描商品，或输入条码、款号</translation>
    </message>
    <message>
        <location filename="../stock/grid.py" line="96" />
        <source>Yellow: the scanned item · red with !: below zero, check the shelf</source>
        <translation>黄色：所扫商品 · 红色带 !：负库存，请核对货架</translation>
    </message>
    <message>
        <location filename="../stock/grid.py" line="102" />
        <source>Back  Esc</source>
        <translation>返回  Esc</translation>
    </message>
    <message>
        <location filename="../stock/grid.py" line="103" />
        <source>Add to sale  Enter</source>
        <translation>加入本单  Enter</translation>
    </message>
    <message>
        <location filename="../stock/grid.py" line="110" />
        <source>Other stores</source>
        <translation>其他门店</translation>
    </message>
    <message>
        <location filename="../stock/grid.py" line="148" />
        <source>Scan the item the customer asks about.</source>
        <translation>请扫描顾客询问的商品。</translation>
    </message>
    <message>
        <location filename="../stock/grid.py" line="186" />
        <source>%1 %2 · this store %3: %4 in stock</source>
        <translation>%1 %2 · 本店 %3：库存 %4 件</translation>
    </message>
    <message>
        <location filename="../stock/grid.py" line="192" />
        <source>one size</source>
        <translation>均码</translation>
    </message>
    <message>
        <location filename="../stock/grid.py" line="197" />
        <location filename="../stock/grid.py" line="318" />
        <source>Total</source>
        <translation>合计</translation>
    </message>
    <message>
        <location filename="../stock/grid.py" line="211" />
        <source>This style has no such colour and size.</source>
        <translation>本款没有这个颜色尺码。</translation>
    </message>
    <message>
        <location filename="../stock/grid.py" line="226" />
        <source>Below zero: more was sold than the till knew of.</source>
        <translation>负库存：售出数量多于系统库存。</translation>
    </message>
    <message>
        <location filename="../stock/grid.py" line="249" />
        <source>Asking the other stores…</source>
        <translation>正在询问其他门店…</translation>
    </message>
    <message>
        <location filename="../stock/grid.py" line="287" />
        <location filename="../stock/grid.py" line="302" />
        <source>Other stores unavailable: %1</source>
        <translation>其他门店暂不可用：%1</translation>
    </message>
    <message>
        <location filename="../stock/grid.py" line="292" />
        <source>No other store has this style.</source>
        <translation>其他门店没有此款。</translation>
    </message>
    <message>
        <location filename="../stock/grid.py" line="294" />
        <source>Nearest first.</source>
        <translation>按距离由近到远。</translation>
    </message>
    <message>
        <location filename="../stock/grid.py" line="315" />
        <source>Store</source>
        <translation>门店</translation>
    </message>
    <message>
        <location filename="../stock/grid.py" line="316" />
        <source>Distance</source>
        <translation>距离</translation>
    </message>
    <message>
        <location filename="../stock/grid.py" line="317" />
        <source>Item</source>
        <translation>商品</translation>
    </message>
</context>
<context>
    <name>StockScreen</name>
    <message>
        <location filename="../stock/screen.py" line="31" />
        <source>Stock</source>
        <translation>库存</translation>
    </message>
    <message>
        <location filename="../stock/screen.py" line="33" />
        <source>Stock count</source>
        <translation>盘点</translation>
    </message>
    <message>
        <location filename="../stock/screen.py" line="34" />
        <source>Receive goods</source>
        <translation>收货</translation>
    </message>
    <message>
        <location filename="../stock/screen.py" line="35" />
        <source>Send to a store</source>
        <translation>调拨出库</translation>
    </message>
    <message>
        <location filename="../stock/screen.py" line="36" />
        <source>Reports</source>
        <translation>报表</translation>
    </message>
    <message>
        <location filename="../stock/screen.py" line="42" />
        <source>Back  Esc</source>
        <translation>返回  Esc</translation>
    </message>
</context>
<context>
    <name>TenderScreen</name>
    <message>
        <location filename="../tender/screen.py" line="74" />
        <source>Amount due</source>
        <translation>应收</translation>
    </message>
    <message>
        <location filename="../tender/screen.py" line="79" />
        <source>Payments</source>
        <translation>已收款</translation>
    </message>
    <message>
        <location filename="../tender/screen.py" line="84" />
        <source>Sale total</source>
        <translation>订单合计</translation>
    </message>
    <message>
        <location filename="../tender/screen.py" line="90" />
        <source>Back to sale  Esc</source>
        <translation>返回收银  Esc</translation>
    </message>
    <message>
        <location filename="../tender/screen.py" line="91" />
        <source>Cancel payments  F3</source>
        <translation>取消付款  F3</translation>
    </message>
    <message>
        <location filename="../tender/screen.py" line="97" />
        <source>Cash received</source>
        <translation>实收现金</translation>
    </message>
    <message>
        <location filename="../tender/screen.py" line="108" />
        <source>Take cash  Enter</source>
        <translation>收现金  Enter</translation>
    </message>
    <message>
        <location filename="../tender/screen.py" line="124" />
        <source>Stored value</source>
        <translation>储值</translation>
    </message>
    <message>
        <location filename="../tender/screen.py" line="136" />
        <location filename="../tender/screen.py" line="342" />
        <source>Cancel payment</source>
        <translation>取消支付</translation>
    </message>
    <message>
        <location filename="../tender/screen.py" line="146" />
        <source>Card</source>
        <translation>银行卡</translation>
    </message>
    <message>
        <location filename="../tender/screen.py" line="147" />
        <source>WeChat Pay</source>
        <translation>微信支付</translation>
    </message>
    <message>
        <location filename="../tender/screen.py" line="148" />
        <source>Alipay</source>
        <translation>支付宝</translation>
    </message>
    <message>
        <location filename="../tender/screen.py" line="172" />
        <source>not configured</source>
        <translation>未配置</translation>
    </message>
    <message>
        <location filename="../tender/screen.py" line="172" />
        <source>unavailable</source>
        <translation>暂不可用</translation>
    </message>
    <message>
        <location filename="../tender/screen.py" line="189" />
        <source>Cash rounding: %1 off</source>
        <translation>抹零 %1</translation>
    </message>
    <message>
        <location filename="../tender/screen.py" line="198" />
        <source>approved</source>
        <translation>已批准</translation>
    </message>
    <message>
        <location filename="../tender/screen.py" line="200" />
        <source>change %1</source>
        <translation>找零 %1</translation>
    </message>
    <message>
        <location filename="../tender/screen.py" line="207" />
        <source>Stored value  (balance %1)</source>
        <translation>储值支付（余额 %1）</translation>
    </message>
    <message>
        <location filename="../tender/screen.py" line="235" />
        <location filename="../tender/screen.py" line="379" />
        <source>Saving…</source>
        <translation>正在保存…</translation>
    </message>
    <message>
        <location filename="../tender/screen.py" line="267" />
        <source>Stored value: debiting %1…</source>
        <translation>储值：正在扣款 %1…</translation>
    </message>
    <message>
        <location filename="../tender/screen.py" line="299" />
        <source>Scan the customer's %1 payment code</source>
        <translation>请扫描顾客的%1付款码</translation>
    </message>
    <message>
        <location filename="../tender/screen.py" line="302" />
        <source>Back</source>
        <translation>返回</translation>
    </message>
    <message>
        <location filename="../tender/screen.py" line="319" />
        <source>Payment has started: go back (Esc) to add more items.</source>
        <translation>正在收款：如需加购请先返回（Esc）。</translation>
    </message>
    <message>
        <location filename="../tender/screen.py" line="324" />
        <source>%1 is not available on this till: take another tender.</source>
        <translation>本机暂不能使用%1：请改用其他支付方式。</translation>
    </message>
    <message>
        <location filename="../tender/screen.py" line="338" />
        <source>%1: %2 — follow the terminal</source>
        <translation>%1：%2 — 请按终端提示操作</translation>
    </message>
    <message>
        <location filename="../tender/screen.py" line="361" />
        <source>Cancelling…</source>
        <translation>正在取消…</translation>
    </message>
    <message>
        <location filename="../tender/screen.py" line="396" />
        <source>Cancel the payments (F3) before going back.</source>
        <translation>请先取消付款（F3）再返回。</translation>
    </message>
    <message>
        <location filename="../tender/screen.py" line="410" />
        <source>Change due</source>
        <translation>找零</translation>
    </message>
    <message>
        <location filename="../tender/screen.py" line="423" />
        <source>Reprint  F8</source>
        <translation>重印  F8</translation>
    </message>
    <message>
        <location filename="../tender/screen.py" line="425" />
        <source>Gift receipt</source>
        <translation>礼品小票</translation>
    </message>
    <message>
        <location filename="../tender/screen.py" line="428" />
        <source>Next customer  Enter</source>
        <translation>下一位顾客  Enter</translation>
    </message>
    <message>
        <location filename="../tender/screen.py" line="432" />
        <source>Receipt</source>
        <translation>小票</translation>
    </message>
    <message>
        <location filename="../tender/screen.py" line="449" />
        <source>Receipt no. %1</source>
        <translation>小票号 %1</translation>
    </message>
    <message>
        <location filename="../tender/screen.py" line="452" />
        <source>Total %1 · received %2</source>
        <translation>合计 %1 · 实收 %2</translation>
    </message>
    <message>
        <location filename="../tender/screen.py" line="464" />
        <source>Receipt sent to the printer.</source>
        <translation>小票已发送到打印机。</translation>
    </message>
    <message>
        <location filename="../tender/screen.py" line="466" />
        <source>No receipt printer is configured: the receipt is shown here.</source>
        <translation>未配置小票打印机：小票内容显示如下。</translation>
    </message>
</context>
<context>
    <name>TopUpDialog</name>
    <message>
        <location filename="../members/topup.py" line="1" />
        <source>Top up stored value</source>
        <translation>储值充值</translation>
    </message>
    <message>
        <location filename="../members/topup.py" line="1" />
        <source>Balance now %1. Cash is recorded as a pay-in in the drawer; a card or a wallet code is charged through the terminal or the provider. Top-ups need the cloud.</source>
        <translation>当前余额 %1。现金计入钱箱收入；银行卡或付款码经终端或支付机构扣款。充值需要连接云端。</translation>
    </message>
    <message>
        <location filename="../members/topup.py" line="1" />
        <source>Amount (yuan)</source>
        <translation>金额（元）</translation>
    </message>
    <message>
        <location filename="../members/topup.py" line="1" />
        <source>Card</source>
        <translation>银行卡</translation>
    </message>
    <message>
        <location filename="../members/topup.py" line="1" />
        <source>Or scan the customer's payment code: WeChat Pay, Alipay, UnionPay QR (云闪付) or digital RMB (数字人民币).</source>
        <translation>或扫描顾客的付款码：微信支付、支付宝、云闪付或数字人民币。</translation>
    </message>
    <message>
        <location filename="../members/topup.py" line="1" />
        <source>Cancel payment</source>
        <translation>取消支付</translation>
    </message>
    <message>
        <location filename="../members/topup.py" line="1" />
        <source>Cash</source>
        <translation>现金</translation>
    </message>
    <message>
        <location filename="../members/topup.py" line="1" />
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../members/topup.py" line="1" />
        <source>The amount must be more than zero.</source>
        <translation>金额必须大于零。</translation>
    </message>
    <message>
        <location filename="../members/topup.py" line="1" />
        <source>No bonus rule applies to this amount.</source>
        <translation>此金额没有充值赠送。</translation>
    </message>
    <message>
        <location filename="../members/topup.py" line="1" />
        <source>%1: bonus %2</source>
        <translation>%1：赠送 %2</translation>
    </message>
    <message>
        <location filename="../members/topup.py" line="1" />
        <source>%1: %2 — follow the terminal</source>
        <translation>%1：%2 — 请按终端提示操作</translation>
    </message>
    <message>
        <location filename="../members/topup.py" line="1" />
        <source>Cancelling…</source>
        <translation>正在取消…</translation>
    </message>
</context>
</TS>