package ddex

// The ERN 4.3 documents, as encoding/xml structs. Fields are declared in the
// order of the XSD's xs:sequence (encoding/xml writes them in declaration
// order) and only the elements ToneGrid fills are modelled. Child elements are
// unqualified (elementFormDefault="unqualified"); only the root carries the
// ern: prefix, which writeDocument adds.

type ernNewReleaseMessage struct {
	ReleaseProfileVersionID string           `xml:"ReleaseProfileVersionId,attr,omitempty"`
	LanguageAndScriptCode   string           `xml:"LanguageAndScriptCode,attr"`
	AvsVersionID            string           `xml:"AvsVersionId,attr"`
	MessageHeader           ernMessageHeader `xml:"MessageHeader"`
	PartyList               ernPartyList     `xml:"PartyList"`
	ResourceList            ernResourceList  `xml:"ResourceList"`
	ReleaseList             ernReleaseList   `xml:"ReleaseList"`
	DealList                *ernDealList     `xml:"DealList,omitempty"`
}

type ernPurgeReleaseMessage struct {
	LanguageAndScriptCode string           `xml:"LanguageAndScriptCode,attr"`
	AvsVersionID          string           `xml:"AvsVersionId,attr"`
	MessageHeader         ernMessageHeader `xml:"MessageHeader"`
	PurgedRelease         ernPurgedRelease `xml:"PurgedRelease"`
}

type ernMessageHeader struct {
	MessageThreadID        string              `xml:"MessageThreadId,omitempty"`
	MessageID              string              `xml:"MessageId"`
	MessageFileName        string              `xml:"MessageFileName,omitempty"`
	MessageSender          ernMessagingParty   `xml:"MessageSender"`
	MessageRecipient       []ernMessagingParty `xml:"MessageRecipient"`
	MessageCreatedDateTime string              `xml:"MessageCreatedDateTime"`
	MessageControlType     string              `xml:"MessageControlType,omitempty"`
}

type ernMessagingParty struct {
	PartyID   string        `xml:"PartyId"`
	PartyName *ernPartyName `xml:"PartyName,omitempty"`
}

type ernPartyName struct {
	FullName string `xml:"FullName"`
}

type ernPartyList struct {
	Party []ernParty `xml:"Party"`
}

type ernParty struct {
	PartyReference string         `xml:"PartyReference"`
	PartyName      []ernPartyName `xml:"PartyName"`
}

type ernResourceList struct {
	SoundRecording []ernSoundRecording `xml:"SoundRecording"`
	Image          []ernImage          `xml:"Image"`
}

type ernSoundRecording struct {
	ResourceReference     string                     `xml:"ResourceReference"`
	Type                  string                     `xml:"Type"`
	SoundRecordingEdition []ernSoundRecordingEdition `xml:"SoundRecordingEdition"`
	DisplayTitleText      []ernText                  `xml:"DisplayTitleText"`
	DisplayTitle          []ernDisplayTitle          `xml:"DisplayTitle"`
	DisplayArtistName     []ernText                  `xml:"DisplayArtistName"`
	DisplayArtist         []ernDisplayArtist         `xml:"DisplayArtist"`
	Contributor           []ernContributor           `xml:"Contributor"`
	Duration              string                     `xml:"Duration"`
	ParentalWarningType   []string                   `xml:"ParentalWarningType"`
	LanguageOfPerformance []string                   `xml:"LanguageOfPerformance"`
}

type ernSoundRecordingEdition struct {
	ResourceID       []ernSoundRecordingID       `xml:"ResourceId"`
	PLine            []ernPLine                  `xml:"PLine"`
	TechnicalDetails []ernSoundRecordingTechnics `xml:"TechnicalDetails"`
}

type ernSoundRecordingID struct {
	ISRC string `xml:"ISRC,omitempty"`
}

type ernPLine struct {
	Year         string `xml:"Year,omitempty"`
	PLineCompany string `xml:"PLineCompany,omitempty"`
	PLineText    string `xml:"PLineText"`
}

type ernCLine struct {
	Year         string `xml:"Year,omitempty"`
	CLineCompany string `xml:"CLineCompany,omitempty"`
	CLineText    string `xml:"CLineText"`
}

type ernSoundRecordingTechnics struct {
	TechnicalResourceDetailsReference string                 `xml:"TechnicalResourceDetailsReference"`
	DeliveryFile                      []ernAudioDeliveryFile `xml:"DeliveryFile"`
	ClipDetails                       []ernClipDetails       `xml:"ClipDetails"`
}

type ernAudioDeliveryFile struct {
	Type             string      `xml:"Type"`
	ContainerFormat  string      `xml:"ContainerFormat,omitempty"`
	AudioCodecType   string      `xml:"AudioCodecType,omitempty"`
	NumberOfChannels int         `xml:"NumberOfChannels,omitempty"`
	SamplingRate     *ernMeasure `xml:"SamplingRate,omitempty"`
	BitsPerSample    int         `xml:"BitsPerSample,omitempty"`
	File             *ernFile    `xml:"File,omitempty"`
}

type ernMeasure struct {
	Value         string `xml:",chardata"`
	UnitOfMeasure string `xml:"UnitOfMeasure,attr,omitempty"`
}

type ernFile struct {
	URI      string      `xml:"URI"`
	HashSum  *ernHashSum `xml:"HashSum,omitempty"`
	FileSize int64       `xml:"FileSize,omitempty"`
}

type ernHashSum struct {
	Algorithm    string `xml:"Algorithm"`
	HashSumValue string `xml:"HashSumValue"`
}

type ernClipDetails struct {
	TechnicalResourceDetailsReference string      `xml:"TechnicalResourceDetailsReference"`
	ClipType                          string      `xml:"ClipType"`
	Timing                            []ernTiming `xml:"Timing"`
	ExpressionType                    string      `xml:"ExpressionType"`
}

type ernTiming struct {
	StartPoint string `xml:"StartPoint"`
}

type ernImage struct {
	ResourceReference string               `xml:"ResourceReference"`
	Type              string               `xml:"Type"`
	ResourceID        []ernResourceProprID `xml:"ResourceId"`
	TechnicalDetails  []ernImageTechnics   `xml:"TechnicalDetails"`
}

type ernResourceProprID struct {
	ProprietaryID []ernNamespaced `xml:"ProprietaryId"`
}

type ernImageTechnics struct {
	TechnicalResourceDetailsReference string      `xml:"TechnicalResourceDetailsReference"`
	ImageCodecType                    string      `xml:"ImageCodecType,omitempty"`
	ImageHeight                       *ernMeasure `xml:"ImageHeight,omitempty"`
	ImageWidth                        *ernMeasure `xml:"ImageWidth,omitempty"`
	File                              *ernFile    `xml:"File,omitempty"`
}

// ernNamespaced is a value with a required Namespace attribute
// (ProprietaryId, CatalogNumber, PriceCode).
type ernNamespaced struct {
	Namespace string `xml:"Namespace,attr"`
	Value     string `xml:",chardata"`
}

// ernText is a text element with the usual territory/language/default flags
// (DisplayTitleText, DisplayArtistName).
type ernText struct {
	Value                   string `xml:",chardata"`
	LanguageAndScriptCode   string `xml:"LanguageAndScriptCode,attr,omitempty"`
	ApplicableTerritoryCode string `xml:"ApplicableTerritoryCode,attr,omitempty"`
	IsDefault               bool   `xml:"IsDefault,attr,omitempty"`
}

type ernDisplayTitle struct {
	LanguageAndScriptCode   string        `xml:"LanguageAndScriptCode,attr,omitempty"`
	ApplicableTerritoryCode string        `xml:"ApplicableTerritoryCode,attr,omitempty"`
	IsDefault               bool          `xml:"IsDefault,attr,omitempty"`
	TitleText               string        `xml:"TitleText"`
	SubTitle                []ernSubTitle `xml:"SubTitle"`
}

type ernSubTitle struct {
	Value        string `xml:",chardata"`
	SubTitleType string `xml:"SubTitleType,attr,omitempty"`
}

type ernDisplayArtist struct {
	SequenceNumber       int    `xml:"SequenceNumber,attr,omitempty"`
	ArtistPartyReference string `xml:"ArtistPartyReference"`
	DisplayArtistRole    string `xml:"DisplayArtistRole"`
}

type ernContributor struct {
	SequenceNumber            int       `xml:"SequenceNumber,attr,omitempty"`
	ContributorPartyReference string    `xml:"ContributorPartyReference"`
	Role                      []ernRole `xml:"Role"`
}

// ernRole is an allowed-value element that may be UserDefined.
type ernRole struct {
	Value            string `xml:",chardata"`
	Namespace        string `xml:"Namespace,attr,omitempty"`
	UserDefinedValue string `xml:"UserDefinedValue,attr,omitempty"`
}

type ernReleaseList struct {
	Release      *ernRelease       `xml:"Release,omitempty"`
	TrackRelease []ernTrackRelease `xml:"TrackRelease"`
}

type ernRelease struct {
	ReleaseReference          string             `xml:"ReleaseReference"`
	ReleaseType               []string           `xml:"ReleaseType"`
	ReleaseID                 ernReleaseID       `xml:"ReleaseId"`
	DisplayTitleText          []ernText          `xml:"DisplayTitleText"`
	DisplayTitle              []ernDisplayTitle  `xml:"DisplayTitle"`
	DisplayArtistName         []ernText          `xml:"DisplayArtistName"`
	DisplayArtist             []ernDisplayArtist `xml:"DisplayArtist"`
	ReleaseLabelReference     []ernLabelRef      `xml:"ReleaseLabelReference"`
	PLine                     []ernPLine         `xml:"PLine"`
	CLine                     []ernCLine         `xml:"CLine"`
	Duration                  string             `xml:"Duration,omitempty"`
	Genre                     []ernGenre         `xml:"Genre"`
	ReleaseDate               []ernEventDate     `xml:"ReleaseDate"`
	OriginalReleaseDate       []ernEventDate     `xml:"OriginalReleaseDate"`
	ParentalWarningType       []string           `xml:"ParentalWarningType"`
	IsSingleArtistCompilation *bool              `xml:"IsSingleArtistCompilation,omitempty"`
	IsMultiArtistCompilation  *bool              `xml:"IsMultiArtistCompilation,omitempty"`
	ResourceGroup             ernResourceGroup   `xml:"ResourceGroup"`
}

type ernReleaseID struct {
	GRid          string          `xml:"GRid,omitempty"`
	ICPN          string          `xml:"ICPN,omitempty"`
	CatalogNumber *ernNamespaced  `xml:"CatalogNumber,omitempty"`
	ProprietaryID []ernNamespaced `xml:"ProprietaryId"`
}

type ernLabelRef struct {
	Value                   string `xml:",chardata"`
	ApplicableTerritoryCode string `xml:"ApplicableTerritoryCode,attr,omitempty"`
}

type ernGenre struct {
	ApplicableTerritoryCode string `xml:"ApplicableTerritoryCode,attr,omitempty"`
	GenreText               string `xml:"GenreText"`
	SubGenre                string `xml:"SubGenre,omitempty"`
}

type ernEventDate struct {
	Value                   string `xml:",chardata"`
	ApplicableTerritoryCode string `xml:"ApplicableTerritoryCode,attr,omitempty"`
	IsDefault               bool   `xml:"IsDefault,attr,omitempty"`
}

// ernResourceGroup serves both the release's top-level ResourceGroup and the
// nested per-disc groups, which must carry ResourceGroupType.
type ernResourceGroup struct {
	ResourceGroupType              string             `xml:"ResourceGroupType,attr,omitempty"`
	SequenceNumber                 int                `xml:"SequenceNumber,omitempty"`
	ResourceGroup                  []ernResourceGroup `xml:"ResourceGroup"`
	ResourceGroupContentItem       []ernContentItem   `xml:"ResourceGroupContentItem"`
	LinkedReleaseResourceReference []ernLinkedRef     `xml:"LinkedReleaseResourceReference"`
}

type ernContentItem struct {
	SequenceNumber           int    `xml:"SequenceNumber,omitempty"`
	ReleaseResourceReference string `xml:"ReleaseResourceReference"`
}

type ernLinkedRef struct {
	Value           string `xml:",chardata"`
	LinkDescription string `xml:"LinkDescription,attr,omitempty"`
}

type ernTrackRelease struct {
	ReleaseReference         string        `xml:"ReleaseReference"`
	ReleaseID                ernReleaseID  `xml:"ReleaseId"`
	ReleaseResourceReference string        `xml:"ReleaseResourceReference"`
	ReleaseLabelReference    []ernLabelRef `xml:"ReleaseLabelReference"`
	Genre                    []ernGenre    `xml:"Genre"`
}

type ernDealList struct {
	ReleaseDeal []ernReleaseDeal `xml:"ReleaseDeal"`
}

type ernReleaseDeal struct {
	DealReleaseReference []string  `xml:"DealReleaseReference"`
	Deal                 []ernDeal `xml:"Deal"`
}

type ernDeal struct {
	DealTerms ernDealTerms `xml:"DealTerms"`
}

type ernDealTerms struct {
	TerritoryCode         []string              `xml:"TerritoryCode"`
	ExcludedTerritoryCode []string              `xml:"ExcludedTerritoryCode"`
	ValidityPeriod        []ernValidityPeriod   `xml:"ValidityPeriod"`
	CommercialModelType   []string              `xml:"CommercialModelType"`
	UseType               []string              `xml:"UseType"`
	PriceInformation      []ernPriceInformation `xml:"PriceInformation"`
}

// ernValidityPeriod is the XSD choice (StartDate, EndDate?) | (StartDateTime,
// EndDateTime?); exactly one pair is filled.
type ernValidityPeriod struct {
	StartDate     string `xml:"StartDate,omitempty"`
	EndDate       string `xml:"EndDate,omitempty"`
	StartDateTime string `xml:"StartDateTime,omitempty"`
	EndDateTime   string `xml:"EndDateTime,omitempty"`
}

type ernPriceInformation struct {
	PriceCode ernNamespaced `xml:"PriceCode"`
}

type ernPurgedRelease struct {
	ReleaseID   *ernReleaseID         `xml:"ReleaseId,omitempty"`
	Title       []ernTitle            `xml:"Title"`
	Contributor []ernPurgeContributor `xml:"Contributor"`
}

type ernTitle struct {
	TitleText string `xml:"TitleText"`
	SubTitle  string `xml:"SubTitle,omitempty"`
}

type ernPurgeContributor struct {
	SequenceNumber              int            `xml:"SequenceNumber,attr,omitempty"`
	PartyName                   []ernPartyName `xml:"PartyName"`
	Role                        []ernRole      `xml:"Role"`
	HasMadeFeaturedContribution bool           `xml:"HasMadeFeaturedContribution,omitempty"`
}
